using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using AgentFense.Policy.Glob;

namespace AgentFense.Policy;

/// <summary>
/// A compiled policy: decides the level of any path from the rules alone, without touching the disk.
/// Thread-safe and immutable once compiled.
/// </summary>
/// <remarks>
/// Resolution is "first matching rule in precedence order" (see <see cref="CompiledRule.ComparePrecedence"/>),
/// which is the same as "the matching rule of lowest rank". Rules of the common shapes are kept in hash
/// tables keyed by path, prefix or name, so a decision costs one lookup per path segment per table plus
/// the few glob rules whose rank could still beat the best found so far; no regex, no full scan.
/// </remarks>
public sealed partial class PolicyMatcher
{
    private readonly CompiledRule[] _byRank;
    private readonly PermissionRule[] _rules;
    private readonly int _matchAllRank = int.MaxValue;
    private readonly RankTable _exact;
    private readonly RankTable _prefix;
    private readonly RankTable _anyDepthName;
    private readonly RankTable _anyDepthDir;
    private readonly CompiledRule[] _anyDepthGlob;
    private readonly FrozenDictionary<string, CompiledRule[]> _generalByFirstSegment;
    private readonly FrozenDictionary<string, CompiledRule[]>.AlternateLookup<ReadOnlySpan<char>> _generalLookup;
    private readonly CompiledRule[] _generalWildFirst;

    private PolicyMatcher(PermissionRule[] rules, CompiledRule[] compiled)
    {
        _rules = rules;
        _byRank = [.. compiled.OrderBy(c => c, Comparer<CompiledRule>.Create(CompiledRule.ComparePrecedence))];
        for (var rank = 0; rank < _byRank.Length; rank++)
            _byRank[rank].Rank = rank;

        foreach (var rule in _byRank.Where(r => r.Shape == RuleShape.MatchAll).Take(1))
            _matchAllRank = rule.Rank;
        _exact = RankTable.Of(_byRank, RuleShape.Exact);
        _prefix = RankTable.Of(_byRank, RuleShape.Prefix);
        _anyDepthName = RankTable.Of(_byRank, RuleShape.AnyDepthName);
        _anyDepthDir = RankTable.Of(_byRank, RuleShape.AnyDepthDir);
        _anyDepthGlob = [.. _byRank.Where(r => r.Shape == RuleShape.AnyDepthGlob)];
        var general = _byRank.Where(r => r.Shape == RuleShape.General).ToArray();
        _generalByFirstSegment = general.Where(r => r.Key is not null)
            .GroupBy(r => r.Key!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _generalLookup = _generalByFirstSegment.GetAlternateLookup<ReadOnlySpan<char>>();
        _generalWildFirst = [.. general.Where(r => r.Key is null)];
    }

    /// <summary>The rules as given, in their original order; <see cref="PolicyDecision.RuleIndex"/> indexes this.</summary>
    public IReadOnlyList<PermissionRule> Rules => _rules;

    /// <summary>The rule at <paramref name="index"/>, or null for -1.</summary>
    public PermissionRule? RuleAt(int index) => index < 0 ? null : _rules[index];

    /// <summary>
    /// Validates and compiles <paramref name="rules"/>. Throws <see cref="PolicyException"/> naming the first
    /// bad rule (its position and pattern) and what is wrong with it.
    /// </summary>
    public static PolicyMatcher Compile(IEnumerable<PermissionRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var list = rules.ToArray();
        var compiled = new CompiledRule[list.Length];
        for (var i = 0; i < list.Length; i++)
            compiled[i] = CompileOne(list[i], i);
        return new PolicyMatcher(list, compiled);
    }

    private static CompiledRule CompileOne(PermissionRule? rule, int index)
    {
        if (rule is null)
            throw new PolicyException($"rule {index + 1} is missing (null)");
        var segments = TryParse(rule, out var problem);
        if (segments is null)
            throw new PolicyException($"rule {index + 1} (pattern \"{Printable(rule.Pattern)}\"): {problem}");
        return new CompiledRule(rule, index, segments);
    }

    /// <summary>Checks one rule; on failure says what is wrong with it (without naming it).</summary>
    public static bool TryValidate(PermissionRule rule, [NotNullWhen(false)] out string? problem) =>
        TryParse(rule, out problem) is not null;

    private static PatternSegment[]? TryParse(PermissionRule rule, out string? problem)
    {
        problem = null;
        if (!Enum.IsDefined(rule.Permission))
            problem = $"unknown permission {(int)rule.Permission}; use none, view, read or write";
        else if (!Enum.IsDefined(rule.Type))
            problem = $"unknown pattern type {(int)rule.Type}; use glob, directory or file";
        else if (rule.Pattern is null)
            problem = "the pattern is missing";
        if (problem is not null || rule.Pattern is null)
            return null;
        var segments = rule.Type == PatternType.Glob
            ? GlobParser.TryParseGlob(rule.Pattern, out problem)
            : GlobParser.TryParseLiteral(rule.Pattern, out problem);
        if (segments is not null && rule.Type == PatternType.Directory)
            segments = [.. segments, PatternSegment.DoubleStar];
        return segments;
    }

    private static string Printable(string? text) =>
        text is null ? "" : text.Replace("\0", "\\0", StringComparison.Ordinal);

    /// <summary>
    /// The level of <paramref name="path"/> (relative to the codebase root, '/'-separated; leading and
    /// trailing '/' ignored). For a directory, reachability can raise <see cref="Permission.None"/> to
    /// <see cref="Permission.View"/>; the root is always at least <see cref="Permission.View"/>.
    /// </summary>
    public PolicyDecision Decide(ReadOnlySpan<char> path, bool isDirectory)
    {
        path = path.Trim('/');
        var decision = DecideByRules(path);
        if (decision.Permission != Permission.None || !isDirectory)
            return decision;
        var reaching = FindReachingRule(path);
        if (reaching >= 0)
            return new PolicyDecision(Permission.View, DecisionSource.Reachability, reaching);
        return path.IsEmpty ? new PolicyDecision(Permission.View, DecisionSource.Reachability, -1) : decision;
    }

    /// <summary>The level <paramref name="path"/> gets from the rules alone (no reachability).</summary>
    public PolicyDecision DecideByRules(ReadOnlySpan<char> path)
    {
        path = path.Trim('/');
        var best = path.IsEmpty ? RootRank() : BestRank(path);
        if (best == int.MaxValue)
            return PolicyDecision.Hidden;
        var rule = _byRank[best];
        return new PolicyDecision(rule.Permission, DecisionSource.Rule, rule.Index);
    }

    private int RootRank()
    {
        foreach (var rule in _byRank)
        {
            if (rule.Automaton.IsAccepting(rule.Automaton.Start))
                return rule.Rank;
        }
        return int.MaxValue;
    }

    private int BestRank(ReadOnlySpan<char> path)
    {
        var best = _matchAllRank;
        _exact.Improve(path, ref best);

        // One pass over the segments: every ancestor-or-self is a candidate prefix, every segment a
        // candidate **/NAME/** name.
        var start = 0;
        ReadOnlySpan<char> first = default, last = default;
        while (true)
        {
            var slash = path[start..].IndexOf('/');
            var end = slash < 0 ? path.Length : start + slash;
            var name = path[start..end];
            if (start == 0)
                first = name;
            last = name;
            _prefix.Improve(path[..end], ref best);
            _anyDepthDir.Improve(name, ref best);
            if (slash < 0)
                break;
            start = end + 1;
        }
        _anyDepthName.Improve(last, ref best);

        foreach (var rule in _anyDepthGlob)
        {
            if (rule.Rank >= best)
                break;
            if (rule.Automaton.Segments[1].IsMatch(last))
            {
                best = rule.Rank;
                break;
            }
        }
        if (_generalLookup.TryGetValue(first, out var byFirst))
            best = FirstMatch(byFirst, path, best);
        return FirstMatch(_generalWildFirst, path, best);
    }

    /// <summary>
    /// The same decision by running every rule's automaton in precedence order, with no index: the
    /// reference the indexed path is tested against, and the baseline it is benchmarked against.
    /// </summary>
    internal PolicyDecision DecideByLinearScan(ReadOnlySpan<char> path)
    {
        path = path.Trim('/');
        foreach (var rule in _byRank)
        {
            if (rule.Automaton.IsMatch(path))
                return new PolicyDecision(rule.Permission, DecisionSource.Rule, rule.Index);
        }
        return PolicyDecision.Hidden;
    }

    private static int FirstMatch(CompiledRule[] rules, ReadOnlySpan<char> path, int best)
    {
        foreach (var rule in rules)
        {
            if (rule.Rank >= best)
                break;
            if (rule.Automaton.IsMatch(path))
                return rule.Rank;
        }
        return best;
    }
}
