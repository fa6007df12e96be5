using AgentFense.Runtime.Boxes;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

public sealed class BoxSpecTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("x y")]
    public void Validate_BadId_Throws(string id)
    {
        using var dir = new TempDirectory();
        var spec = new BoxSpec { Id = id, WorkspaceHostPath = dir.Path, InitPath = dir.WriteFile("init") };
        Assert.Throws<ArgumentException>(spec.Validate);
    }

    [Fact]
    public void Validate_RootUser_Throws()
    {
        using var dir = new TempDirectory();
        var spec = new BoxSpec { Id = "a", WorkspaceHostPath = dir.Path, InitPath = dir.WriteFile("init"), Uid = 0 };
        Assert.Throws<ArgumentException>(spec.Validate);
    }

    [Fact]
    public void BuildEnvironment_CallerValues_OverrideDefaults()
    {
        var spec = new BoxSpec { Id = "a", WorkspaceHostPath = "/", InitPath = "/x", Environment = new Dictionary<string, string> { ["LANG"] = "de_DE.UTF-8", ["FOO"] = "bar" } };
        var env = spec.BuildEnvironment();
        Assert.Contains("LANG=de_DE.UTF-8", env);
        Assert.Contains("FOO=bar", env);
        Assert.Contains("USER=sandbox", env);
        Assert.Single(env, e => e.StartsWith("PATH=", StringComparison.Ordinal));
    }
}
