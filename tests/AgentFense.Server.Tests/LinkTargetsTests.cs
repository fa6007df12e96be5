using AgentFense.Server.Codebases;

namespace AgentFense.Server.Tests;

/// <summary>The rule for the targets of an archive's symbolic links.</summary>
public sealed class LinkTargetsTests
{
    [Theory]
    [InlineData("README.md", 0)]
    [InlineData("./src/lib", 0)]
    [InlineData("../README.md", 1)]
    [InlineData("../../a/b", 2)]
    [InlineData("..", 1)]
    [InlineData(".", 0)]
    [InlineData("a//b/", 0)]
    public void Inside_Allowed(string target, int depth) => Assert.True(LinkTargets.IsInside(target, depth, out _));

    [Theory]
    [InlineData("", 3, "is empty")]
    [InlineData("/etc/passwd", 3, "is absolute")]
    [InlineData("..", 0, "climbs above")]
    [InlineData("../../x", 1, "climbs above")]
    [InlineData("up/../x", 3, "'..' after a name")]
    [InlineData("a/b/../../..", 5, "'..' after a name")]
    [InlineData("a\0b", 0, "NUL")]
    public void Outside_Refused_WithTheReason(string target, int depth, string why)
    {
        Assert.False(LinkTargets.IsInside(target, depth, out var reason));
        Assert.Contains(why, reason, StringComparison.Ordinal);
    }
}
