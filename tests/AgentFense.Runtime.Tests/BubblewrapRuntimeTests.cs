using AgentFense.Runtime.Bubblewrap;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

public sealed class BubblewrapRuntimeTests
{
    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StartAsync_TrueCommand_RunsAsBoxUserInWorkspace()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), TestContext.Current.CancellationToken);
        var result = await BoxFixture.RunAsync(box, "id -u; id -g; pwd; echo $$; exit 3");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("1000\n1000\n/workspace\n", string.Join('\n', result.StdoutText.Split('\n')[..3]) + "\n");
        Assert.Equal(string.Empty, result.StderrText);
    }
}
