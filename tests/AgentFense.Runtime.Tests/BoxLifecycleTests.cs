using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
public sealed class BoxLifecycleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopAsync_RunningCommands_NoProcessOrCgroupLeft()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        var box = (BubblewrapBox)await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var background = await BoxFixture.RunAsync(box, "setsid sleep 300 >/dev/null 2>&1 & sleep 300 >/dev/null 2>&1 & echo started");
        Assert.Equal(0, background.ExitCode);
        var pids = box.Cgroup.GetProcesses();
        Assert.True(pids.Count >= 4);
        await box.StopAsync(Token);
        var exit = await box.Exited;
        Assert.True(exit.Stopped);
        Assert.True(box.Cgroup.IsRemoved);
        foreach (var pid in pids)
            Assert.False(Alive(pid), $"process {pid} of the box is still there");
        await box.StopAsync(Token); // twice is fine
    }

    [Fact]
    public async Task Exited_InitKilledFromOutside_BoxTearsItselfDown()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = (BubblewrapBox)await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        Interop.Libc.kill(box.Pid, Interop.Libc.SIGKILL);
        var exit = await box.Exited.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(exit.Stopped);
        Assert.True(box.Cgroup.IsRemoved);
        Assert.False(Alive(box.Pid));
        Assert.False(Alive(box.BwrapPid));
    }

    [Fact]
    public async Task Exited_BwrapKilled_OrphanedInitReapedBySubreaper()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = (BubblewrapBox)await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        // bwrap dies first: --die-with-parent kills init, which is reparented to us (subreaper) and must be reaped, not left a zombie.
        Interop.Libc.kill(box.BwrapPid, Interop.Libc.SIGKILL);
        var exit = await box.Exited.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(128 + 9, exit.ExitCode);
        Assert.True(box.Cgroup.IsRemoved);
        Assert.False(File.Exists($"/proc/{box.Pid}/stat"), $"box pid {box.Pid} still exists (zombie?)");
        Assert.False(File.Exists($"/proc/{box.BwrapPid}/stat"));
    }

    [Fact]
    public async Task StartAsync_BadWorkspace_ThrowsAndLeavesNothing()
    {
        BoxFixture.Require();
        var spec = BoxFixture.Spec("/nonexistent/agentfense-workspace");
        await Assert.ThrowsAsync<ArgumentException>(() => BoxFixture.Runtime.StartAsync(spec, Token));
        Assert.All(BoxFixture.Runtime.Cgroups.GroupDirectories, g => Assert.False(Directory.Exists(Path.Combine(g, spec.Id))));
    }

    [Fact]
    public async Task StartAsync_BwrapFails_ReportsItsErrorAndLeavesNoCgroup()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        var runtime = new BubblewrapRuntime(new BubblewrapRuntimeOptions
        {
            Cgroups = BoxFixture.Runtime.Cgroups,
            SetprivPath = "/nonexistent/setpriv",
        });
        var spec = BoxFixture.Spec(workspace.Path);
        var error = await Assert.ThrowsAsync<BoxException>(() => runtime.StartAsync(spec, Token));
        Assert.Contains("/nonexistent/setpriv", error.Message, StringComparison.Ordinal);
        Assert.All(runtime.Cgroups.GroupDirectories, g => Assert.False(Directory.Exists(Path.Combine(g, spec.Id))));
    }

    [Fact]
    public async Task Sweep_LeftoverOfCrashedEngine_KillsAndRemoves()
    {
        BoxFixture.Require();
        // A manager of its own group, so the sweep cannot touch boxes of tests running beside it.
        var manager = CgroupManager.Detect(groupName: "agentfense-tests-sweep");
        var leftover = manager.Create(BoxFixture.NewId(), new BoxLimits { PidsMax = 10 });
        using var orphan = System.Diagnostics.Process.Start("sleep", "300");
        leftover.AddProcess(orphan.Id);
        var removed = await manager.SweepAsync();
        Assert.Equal([leftover.Name], removed);
        await orphan.WaitForExitAsync(Token);
        Assert.True(leftover.IsRemoved);
    }

    [Fact]
    public async Task StartAsync_ManyBoxesAtOnce_AllRunAndStop()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        var boxes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token)));
        try
        {
            var results = await Task.WhenAll(boxes.Select(b => BoxFixture.RunAsync(b, "hostname; ps -e -o pid= | wc -l")));
            // Each box sees only its own init, shell, ps and wc.
            Assert.All(results, r => Assert.Equal("sandbox\n4\n", r.StdoutText));
        }
        finally
        {
            await Task.WhenAll(boxes.Select(b => b.StopAsync()));
        }
        Assert.All(boxes, b => Assert.True(((BubblewrapBox)b).Cgroup.IsRemoved));
    }

    internal static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
