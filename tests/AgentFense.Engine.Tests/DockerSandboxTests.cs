using AgentFense.Engine;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Docker;
using AgentFense.TestSupport;
using static AgentFense.Engine.Tests.EngineFixture;

namespace AgentFense.Engine.Tests;

/// <summary>Docker sandboxes in the engine: the same lifecycle as bwrap over the same delta, beside bwrap sandboxes.</summary>
[Trait("Requires", "Docker")]
public sealed class DockerSandboxTests
{
    private static void RequireDocker()
    {
        Require();
        Requires.Docker();
        TestImages.Ensure();
    }

    private static SandboxSpec DockerSpec(string codebase, string image = TestImages.Debian) =>
        Spec(codebase) with { Runtime = BoxRuntimeKind.Docker, Image = image };

    [Fact]
    public async Task Lifecycle_StopStartDestroy_ContainerRemovedDeltaKept()
    {
        RequireDocker();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        await using var manager = await StartManagerAsync(data.Path);
        var created = manager.Create(DockerSpec(codebase.Path));
        await manager.StartAsync(created.Id, Token);
        var box = Assert.IsType<DockerBox>(manager.GetBox(created.Id));
        var write = await RunAsync(manager, created.Id, "echo kept > output/note.txt && pwd && id -un && cat .env; ls -a");
        Assert.StartsWith("/workspace\nsandbox\n", write.StdoutText, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", write.StdoutText, StringComparison.Ordinal);
        Assert.DoesNotContain(".env", write.StdoutText, StringComparison.Ordinal);
        Assert.True(await ContainerExists(box.ContainerId));

        await manager.StopAsync(created.Id, Token);
        Assert.False(await ContainerExists(box.ContainerId));
        Assert.False(Alive(box.Pid));
        Assert.False(IsMounted(manager.MountPath(created.Id)));
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(manager.DeltaPath(created.Id), "output/note.txt")));

        await manager.StartAsync(created.Id, Token);
        var second = Assert.IsType<DockerBox>(manager.GetBox(created.Id));
        Assert.NotEqual(box.ContainerId, second.ContainerId);
        Assert.Equal("kept\n", (await RunAsync(manager, created.Id, "cat output/note.txt")).StdoutText);

        await manager.DestroyAsync(created.Id, Token);
        Assert.False(await ContainerExists(second.ContainerId));
        Assert.False(Directory.Exists(manager.DeltaPath(created.Id)));
        Assert.False(File.Exists(codebase["output/note.txt"]));
    }

    [Fact]
    public async Task Start_ImageMissing_ImageNotFoundAndSandboxUnchanged()
    {
        RequireDocker();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        await using var manager = await StartManagerAsync(data.Path);
        var created = manager.Create(DockerSpec(codebase.Path, "agentfense-test/missing:1"));
        var error = await Assert.ThrowsAsync<BoxImageNotFoundException>(() => manager.StartAsync(created.Id, Token));
        Assert.Contains("agentfense-test/missing:1", error.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Created, manager.Get(created.Id).State);
        Assert.False(IsMounted(manager.MountPath(created.Id)));
        Assert.False(Directory.Exists(manager.MountPath(created.Id)));
    }

    [Fact]
    public async Task Start_DaemonDown_DockerSandboxUnavailableBwrapSandboxRuns()
    {
        RequireDocker();
        using var data = new TempDirectory("agentfense-data-");
        using var state = new TempDirectory("agentfense-state-");
        using var codebase = Codebase();
        var socket = Path.Combine(state.Path, "no-docker.sock");
        await using var manager = await SandboxManager.StartAsync(new SandboxManagerOptions
        {
            DataDirectory = data.Path,
            CgroupGroupName = NewGroup(),
            InitPath = InitBinary.Path,
            Bubblewrap = new BubblewrapRuntimeOptions { StateDirectory = "/run/agentfense-tests" },
            Docker = new DockerRuntimeOptions { Endpoint = new Uri($"unix://{socket}"), StateDirectory = state.Path },
        }, Token);
        var docker = manager.Create(DockerSpec(codebase.Path));
        var error = await Assert.ThrowsAsync<BoxRuntimeUnavailableException>(() => manager.StartAsync(docker.Id, Token));
        Assert.Contains(socket, error.Message, StringComparison.Ordinal);
        Assert.False(IsMounted(manager.MountPath(docker.Id)));
        var bwrap = manager.Create(Spec(codebase.Path));
        await manager.StartAsync(bwrap.Id, Token);
        Assert.Equal("ok\n", (await RunAsync(manager, bwrap.Id, "echo ok")).StdoutText);
    }

    [Fact]
    public async Task StartManager_ContainerOfACrashedPredecessor_Removed()
    {
        RequireDocker();
        using var data = new TempDirectory("agentfense-data-");
        using var workspace = new TempDirectory("agentfense-ws-");
        File.SetUnixFileMode(workspace.Path, (UnixFileMode)0x1ED);
        var group = NewGroup();
        // What a killed engine leaves: a container of its group whose init has nobody to talk to.
        using var predecessor = new DockerRuntime(new DockerRuntimeOptions { GroupName = group, StateDirectory = "/run/agentfense-tests", DefaultImage = TestImages.Debian });
        var leftover = await predecessor.StartAsync(new BoxSpec { Id = $"t{Guid.NewGuid():N}"[..20], WorkspaceHostPath = workspace.Path, InitPath = InitBinary.Path }, Token);
        Assert.True(await ContainerExists(((DockerBox)leftover).ContainerId));
        await using var manager = await StartManagerAsync(data.Path, group);
        Assert.False(await ContainerExists(((DockerBox)leftover).ContainerId));
        await leftover.Exited.WaitAsync(TimeSpan.FromSeconds(20), Token);
        Assert.False(Alive(leftover.Pid));
    }

    private static async Task<bool> ContainerExists(string id)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", ["container", "inspect", id])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardOutput.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return process.ExitCode == 0;
    }
}
