using System.Text.RegularExpressions;

namespace AgentFense.Internal;

/// <summary>
/// Which local paths are certainly hidden by a sandbox's rules, so an upload never sends them (secrets stay on
/// the machine). It errs on the side of sending: a path is left out only when a <c>none</c> rule matches it and
/// no rule granting anything at that priority or above matches it (for a directory: could match anything beneath it), so
/// nothing the sandbox could show is missing. The server decides what the agent sees, as always.
/// </summary>
internal sealed class PolicyFilter
{
    private readonly (Rule Rule, Func<string, bool> Matches, Func<string, bool> CoversBelow)[] _rules;

    public PolicyFilter(IEnumerable<Rule> rules) =>
        _rules = [.. rules.Select(r => (r, Matcher(r), SubtreeMatcher(r)))];

    /// <summary>False when the rules certainly hide <paramref name="path"/> (relative, '/'-separated).</summary>
    public bool Includes(string path, bool isDirectory)
    {
        foreach (var (rule, matches, coversBelow) in _rules)
        {
            if (rule.Permission != Permission.None)
                continue;
            if (isDirectory ? !coversBelow(path) : !matches(path))
                continue;
            var granted = _rules.Any(other => other.Rule.Permission != Permission.None && other.Rule.Priority >= rule.Priority
                && (isDirectory ? CouldReachBelow(other.Rule, path) : other.Matches(path)));
            if (!granted)
                return false;
        }
        return true;
    }

    /// <summary>
    /// False only when <paramref name="rule"/> cannot match anything at or beneath <paramref name="directory"/>:
    /// its literal start (up to the first wildcard) leads elsewhere.
    /// </summary>
    private static bool CouldReachBelow(Rule rule, string directory)
    {
        var pattern = Normalize(rule.Pattern);
        var literal = rule.Type == PatternType.Glob ? pattern[..(pattern.IndexOfAny(['*', '?', '[', '\\']) is var i and >= 0 ? i : pattern.Length)] : pattern;
        if (literal.Length == 0)
            return true;
        var below = directory + "/";
        return below.StartsWith(literal, StringComparison.Ordinal) || literal.StartsWith(below, StringComparison.Ordinal) || literal == directory;
    }

    private static string Normalize(string pattern) => pattern.Length > 1 ? pattern.TrimStart('/') : pattern;

    private static Func<string, bool> Matcher(Rule rule)
    {
        var pattern = Normalize(rule.Pattern);
        switch (rule.Type)
        {
            case PatternType.File:
                return path => path == pattern;
            case PatternType.Directory:
                return path => path == pattern || path.StartsWith(pattern + "/", StringComparison.Ordinal);
            default:
                var regex = GlobRegex.Compile(pattern);
                return regex.IsMatch;
        }
    }

    /// <summary>True when the rule matches a directory and everything beneath it.</summary>
    private static Func<string, bool> SubtreeMatcher(Rule rule)
    {
        var pattern = Normalize(rule.Pattern);
        if (rule.Type == PatternType.Directory)
            return path => path == pattern || path.StartsWith(pattern + "/", StringComparison.Ordinal);
        if (rule.Type == PatternType.Glob && pattern.EndsWith("/**", StringComparison.Ordinal))
        {
            var prefix = GlobRegex.Compile(pattern[..^3]);
            var whole = GlobRegex.Compile(pattern);
            return path => prefix.IsMatch(path) || whole.IsMatch(path);
        }
        return _ => false;
    }
}
