using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class BoxLifecycleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task StopAsync_RunningCommands_NoProcessOrCgroupLeft(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var background = await BoxFixture.RunAsync(box, "setsid sleep 300 >/dev/null 2>&1 & sleep 300 >/dev/null 2>&1 & echo started");
        Assert.Equal(0, background.ExitCode);
        var cgroup = BoxFixture.CgroupDirectory(box, "pids");
        var pids = BoxFixture.Processes(cgroup);
        Assert.True(pids.Count >= 3, $"expected init and two sleeps, got {string.Join(' ', pids)}");
        await box.StopAsync(Token);
        var exit = await box.Exited;
        Assert.True(exit.Stopped);
        Assert.False(Directory.Exists(cgroup), $"cgroup {cgroup} is still there");
        foreach (var pid in pids)
            Assert.False(Alive(pid), $"process {pid} of the box is still there");
        await box.StopAsync(Token); // twice is fine
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exited_InitKilledFromOutside_BoxTearsItselfDown(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var cgroup = BoxFixture.CgroupDirectory(box, "pids");
        Interop.Libc.kill(box.Pid, Interop.Libc.SIGKILL);
        var exit = await box.Exited.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(exit.Stopped);
        Assert.False(Directory.Exists(cgroup), $"cgroup {cgroup} is still there");
        Assert.False(Alive(box.Pid));
        if (box is BubblewrapBox bwrap)
            Assert.False(Alive(bwrap.BwrapPid));
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

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task StartAsync_ManyBoxesAtOnce_AllRunAndStop(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        var boxes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token)));
        var cgroups = boxes.Select(b => BoxFixture.CgroupDirectory(b, "pids")).ToArray();
        try
        {
            var results = await Task.WhenAll(boxes.Select(b => BoxFixture.RunAsync(b, "hostname; ps -e -o comm=")));
            // Each box sees only its own processes: init (whatever its name: under docker the loader runs it) and the
            // command's own shell and ps. (Counting with `| wc -l` raced: ps may read /proc before wc has started.)
            Assert.All(results, r =>
            {
                var lines = r.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("sandbox", lines[0]);
                Assert.Contains("ps", lines[1..]);
                Assert.Single(lines[1..], name => name is not ("sh" or "ps"));
            });
        }
        finally
        {
            await Task.WhenAll(boxes.Select(b => b.StopAsync()));
        }
        Assert.All(cgroups, c => Assert.False(Directory.Exists(c), $"cgroup {c} is still there"));
    }

    internal static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
