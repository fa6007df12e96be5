namespace AgentFense.Policy.Tests;

public class RuleSyntaxTests
{
    [Theory]
    [InlineData("src/**=write", "src/**", Permission.Write, PatternType.Glob, 0)]
    [InlineData("**/*.key=none@100", "**/*.key", Permission.None, PatternType.Glob, 100)]
    [InlineData("docs=READ@-5", "docs", Permission.Read, PatternType.Glob, -5)]
    [InlineData("dir:build=none", "build", Permission.None, PatternType.Directory, 0)]
    [InlineData("file:src/main.py=write@3", "src/main.py", Permission.Write, PatternType.File, 3)]
    [InlineData("a=b.txt=view", "a=b.txt", Permission.View, PatternType.Glob, 0)]
    [InlineData("x=PERMISSION_READ", "x", Permission.Read, PatternType.Glob, 0)]
    public void Parse_ValidRule_Parsed(string text, string pattern, Permission level, PatternType type, int priority) =>
        Assert.Equal(new PermissionRule(pattern, level, type, priority), RuleSyntax.Parse(text));

    [Theory]
    [InlineData("src/**", "expected PATTERN=LEVEL")]
    [InlineData("src/**=rw", "unknown level \"rw\"")]
    [InlineData("src/**=read@high", "not an integer")]
    [InlineData("=read", "empty")]
    [InlineData("src/[x=read", "unbalanced")]
    public void Parse_BadRule_NamesRuleAndProblem(string text, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => RuleSyntax.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Format_RoundTrips()
    {
        foreach (var rule in Presets.AgentSafe.Rules.Append(new PermissionRule("b", Permission.View, PatternType.Directory, 4)))
            Assert.Equal(rule, RuleSyntax.Parse(RuleSyntax.Format(rule)));
    }
}
