namespace AgentFense.Policy.Tests;

public class ValidationTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("/", "empty")]
    [InlineData("src/[abc", "unbalanced '['")]
    [InlineData("[", "unbalanced '['")]
    [InlineData("../etc/**", "'..'")]
    [InlineData("src/../../x", "'..'")]
    [InlineData("a\0b", "NUL")]
    [InlineData("abc\\", "lone '\\'")]
    [InlineData("[z-a]", "reversed")]
    public void Compile_BadPattern_NamesRuleAndProblem(string pattern, string expected)
    {
        var rules = new[] { new PermissionRule("ok/**", Permission.Read), new PermissionRule(pattern, Permission.Read) };
        var e = Assert.Throws<PolicyException>(() => PolicyMatcher.Compile(rules));
        Assert.Contains("rule 2", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Compile_UnknownPermission_IsRefused()
    {
        var e = Assert.Throws<PolicyException>(() => PolicyMatcher.Compile([new PermissionRule("a", (Permission)9)]));
        Assert.Contains("unknown permission", e.Message);
    }

    [Fact]
    public void Compile_UnknownType_IsRefused()
    {
        var e = Assert.Throws<PolicyException>(() => PolicyMatcher.Compile([new PermissionRule("a", Permission.Read, (PatternType)7)]));
        Assert.Contains("unknown pattern type", e.Message);
    }

    [Theory]
    [InlineData("../x", PatternType.File)]
    [InlineData("a/../../b", PatternType.Directory)]
    [InlineData("", PatternType.Directory)]
    public void Compile_BadLiteralPath_IsRefused(string pattern, PatternType type) =>
        Assert.Throws<PolicyException>(() => PolicyMatcher.Compile([new PermissionRule(pattern, Permission.Read, type)]));
}
