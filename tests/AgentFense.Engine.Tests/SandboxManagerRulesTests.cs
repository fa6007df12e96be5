using AgentFense.Engine;
using AgentFense.Policy;
using AgentFense.TestSupport;
using static AgentFense.Engine.Tests.EngineFixture;

namespace AgentFense.Engine.Tests;

[Trait("Requires", "Bwrap")]
public sealed class SandboxManagerRulesTests
{
    [Fact]
    public async Task UpdateRules_Running_AppliesAtOnceAuditsAndKeepsForRestart()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        await using var manager = await StartManagerAsync(data.Path);
        PermissionRule[] open = [new("**", Permission.Read), new("output/**", Permission.Write, Priority: 10)];
        var id = manager.Create(Spec(codebase.Path, open)).Id;
        await manager.StartAsync(id, Token);
        Assert.Equal("# demo\n", (await RunAsync(manager, id, "cat README.md")).StdoutText);

        PermissionRule[] viewOnly = [new("**", Permission.Read), new("README.md", Permission.View, Priority: 10)];
        var updated = await manager.UpdateRulesAsync(id, viewOnly, Token);
        Assert.Equal(viewOnly, updated.Spec.Rules);
        var cat = await RunAsync(manager, id, "cat README.md");
        Assert.NotEqual(0, cat.ExitCode);
        Assert.Contains("Permission denied", cat.StderrText);
        Assert.Contains(manager.GetAudit(id), e => e.Path == "README.md" && e.Level == Permission.View);

        Assert.Throws<PolicyException>(() => manager.UpdateRulesAsync(id, [new("a/../b", Permission.Read)], Token).GetAwaiter().GetResult());
        Assert.Equal(viewOnly, manager.Get(id).Spec.Rules);

        await manager.StopAsync(id, Token);
        Assert.Throws<SandboxStateException>(() => manager.GetAudit(id));
        await manager.StartAsync(id, Token);
        Assert.NotEqual(0, (await RunAsync(manager, id, "cat README.md")).ExitCode);
        await manager.DestroyAsync(id, Token);
    }
}
