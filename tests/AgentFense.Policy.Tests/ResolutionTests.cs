namespace AgentFense.Policy.Tests;

public class ResolutionTests
{
    private static PolicyDecision Decide(string path, params PermissionRule[] rules) =>
        PolicyMatcher.Compile(rules).DecideByRules(path);

    private static PermissionRule G(string p, Permission l, int prio = 0) => new(p, l, PatternType.Glob, prio);

    [Fact]
    public void Decide_NoRuleMatches_IsNoneByDefault()
    {
        var d = Decide("src/main.py", G("docs/**", Permission.Read));
        Assert.Equal(Permission.None, d.Permission);
        Assert.Equal(DecisionSource.Default, d.Source);
        Assert.Equal(-1, d.RuleIndex);
    }

    [Fact]
    public void Decide_HigherPriority_Wins()
    {
        var d = Decide("a/x.key", G("**/*.key", Permission.None, 100), G("a/**", Permission.Write, 5));
        Assert.Equal(Permission.None, d.Permission);
        Assert.Equal(0, d.RuleIndex);
        d = Decide("a/x.key", G("**/*.key", Permission.None, 1), G("a/**", Permission.Write, 5));
        Assert.Equal(Permission.Write, d.Permission);
    }

    [Fact]
    public void Decide_EqualPriority_FileBeforeDirectoryBeforeGlob()
    {
        var rules = new[]
        {
            G("src/**", Permission.Read),
            new PermissionRule("src", Permission.View, PatternType.Directory),
            new PermissionRule("src/main.py", Permission.Write, PatternType.File),
        };
        Assert.Equal(Permission.Write, Decide("src/main.py", rules).Permission);
        Assert.Equal(Permission.View, Decide("src/other.py", rules).Permission);
        Assert.Equal(Permission.View, Decide("src", rules).Permission);
    }

    [Fact]
    public void Decide_EqualType_LiteralBeatsWildcard()
    {
        Assert.Equal(Permission.Write, Decide("src/a.py", G("src/*.py", Permission.Read), G("src/a.py", Permission.Write)).Permission);
        Assert.Equal(Permission.Write, Decide("src/a.py", G("src/a.py", Permission.Write), G("src/*.py", Permission.Read)).Permission);
    }

    [Fact]
    public void Decide_EqualType_MoreLiteralCharactersWin()
    {
        var rules = new[] { G("src/**", Permission.Read), G("src/gen/**", Permission.None) };
        Assert.Equal(Permission.None, Decide("src/gen/x.py", rules).Permission);
        Assert.Equal(Permission.Read, Decide("src/x.py", rules).Permission);
        rules = [G("src/gen/**", Permission.None), G("src/**", Permission.Read)];
        Assert.Equal(Permission.None, Decide("src/gen/x.py", rules).Permission);
    }

    [Fact]
    public void Decide_LeadingDoubleStar_IsLeastSpecific()
    {
        // "**/build/**" has more literal characters than "b/*", yet a leading ** ranks it last.
        var rules = new[] { G("**/build/**", Permission.None), G("b/*", Permission.Write) };
        Assert.Equal(Permission.Write, Decide("b/build", rules).Permission);
    }

    [Fact]
    public void Decide_FullTie_LastListedWins()
    {
        Assert.Equal(Permission.Write, Decide("a.txt", G("*.txt", Permission.Read), G("*.txt", Permission.Write)).Permission);
        Assert.Equal(Permission.Read, Decide("a.txt", G("*.txt", Permission.Write), G("*.txt", Permission.Read)).Permission);
        var d = Decide("a.txt", G("*.txt", Permission.Write), G("*.txt", Permission.Read));
        Assert.Equal(1, d.RuleIndex);
    }

    [Fact]
    public void Decide_DirectoryRule_CoversItselfAndBeneath()
    {
        var rules = new[] { new PermissionRule("build", Permission.Write, PatternType.Directory) };
        Assert.Equal(Permission.Write, Decide("build", rules).Permission);
        Assert.Equal(Permission.Write, Decide("build/a/b.o", rules).Permission);
        Assert.Equal(Permission.None, Decide("buildx", rules).Permission);
        Assert.Equal(Permission.None, Decide("src/build", rules).Permission);
    }

    [Fact]
    public void Decide_FileRule_MatchesExactlyOnePath_Literally()
    {
        var rules = new[] { new PermissionRule("/notes/[draft].md", Permission.Read, PatternType.File) };
        Assert.Equal(Permission.Read, Decide("notes/[draft].md", rules).Permission);
        Assert.Equal(Permission.None, Decide("notes/d.md", rules).Permission);
        Assert.Equal(Permission.None, Decide("notes/[draft].md/x", rules).Permission);
    }

    [Fact]
    public void Decide_LeadingSlashInPath_IsIgnored()
    {
        var rules = new[] { G("docs/**", Permission.Read) };
        Assert.Equal(Permission.Read, Decide("/docs/a.md", rules).Permission);
    }

    [Fact]
    public void Decide_ManyShapesTogether_AgreeWithRankOrder()
    {
        // Randomised cross-check of the indexed matcher against a plain first-match scan.
        var patterns = new[]
        {
            "**/*", "**/*.py", "**/test_*", "src/**", "src/*/x/**", "**/gen/**", "src/a.py", "docs/*.md",
            "**/README.md", "*", "src/*", "**/b/*/c",
        };
        var names = new[] { "src", "a.py", "gen", "x", "b", "c", "docs", "README.md", "test_a", "q.md" };
        var random = new Random(1234);
        for (var round = 0; round < 40; round++)
        {
            var rules = Enumerable.Range(0, random.Next(1, 9))
                .Select(_ => G(patterns[random.Next(patterns.Length)], (Permission)random.Next(4), random.Next(3)))
                .ToArray();
            var matcher = PolicyMatcher.Compile(rules);
            for (var p = 0; p < 50; p++)
            {
                var path = string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => names[random.Next(names.Length)]));
                Assert.Equal(ReferenceDecide(rules, path), matcher.DecideByRules(path).RuleIndex);
                Assert.Equal(matcher.DecideByLinearScan(path), matcher.DecideByRules(path));
            }
        }
    }

    // The rules sorted by the documented order, then the first whose single-rule matcher matches.
    private static int ReferenceDecide(PermissionRule[] rules, string path)
    {
        var order = rules.Select((r, i) => (r, i))
            .OrderByDescending(x => x.r.Priority)
            .ThenByDescending(x => IsLiteral(x.r.Pattern) ? 2 : x.r.Pattern.StartsWith("**", StringComparison.Ordinal) ? 0 : 1)
            .ThenByDescending(x => x.r.Pattern.Count(c => c is not ('*' or '?' or '[' or ']' or '/')))
            .ThenByDescending(x => x.i);
        foreach (var (rule, index) in order)
        {
            if (PolicyMatcher.Compile([rule]).DecideByRules(path).Source == DecisionSource.Rule)
                return index;
        }
        return -1;
    }

    private static bool IsLiteral(string p) => p.IndexOfAny(['*', '?', '[']) < 0;
}
