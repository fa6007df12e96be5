using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class BoxLimitsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_ForkBomb_StopsAtPidsMaxAndBoxStillAnswers(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with
        {
            Limits = new BoxLimits { PidsMax = 40, CpuQuotaMicroseconds = 20_000 },
        }), Token);
        var pidsDir = BoxFixture.CgroupDirectory(box, "pids");
        var bomb = await BoxFixture.RunAsync(box, "bomb() { bomb | bomb & }; bomb; sleep 2", TimeSpan.FromSeconds(3));
        Assert.True(bomb.Exit.Signaled || bomb.ExitCode != 0 || bomb.ExitCode == 0); // it ends one way or another: the point is what follows
        var events = File.ReadAllText(Path.Combine(pidsDir, "pids.events"));
        Assert.Matches(@"max [1-9]", events);
        Assert.True(long.Parse(File.ReadAllText(Path.Combine(pidsDir, "pids.peak")).Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 40);
        // The bomb's survivors hold the limit; stopping the box must still clear all of them.
        await box.StopAsync(Token);
        Assert.False(Directory.Exists(pidsDir), $"cgroup {pidsDir} is still there");
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_AllocatePastMemoryLimit_OomKillReported(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with
        {
            Limits = new BoxLimits { MemoryBytes = 48L * 1024 * 1024 },
        }), Token);
        Assert.Equal(0, box.OomKillCount);
        // tail keeps a line without newline in memory: 512 MiB of zeros grows it past the limit.
        var result = await BoxFixture.RunAsync(box, "head -c 512M /dev/zero | tail -n 1 >/dev/null; echo done-$?");
        Assert.True(box.OomKillCount >= 1, $"no OOM kill counted; output {result.StdoutText} {result.StderrText}");
        Assert.Contains("done-137", result.StdoutText, StringComparison.Ordinal);
        // The box survives its command's OOM kill.
        Assert.Equal(0, (await BoxFixture.RunAsync(box, "true")).ExitCode);
        await box.StopAsync(Token);
        Assert.True((await box.Exited).OomKills >= 1);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_WriteTmpPastSize_NoSpaceLeft(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with
        {
            Limits = new BoxLimits { TmpSizeBytes = 1024 * 1024 },
        }), Token);
        var result = await BoxFixture.RunAsync(box, "head -c 2M /dev/zero > /tmp/big; echo $?; stat -c %s /tmp/big");
        Assert.Contains("No space left on device", result.StderrText, StringComparison.Ordinal);
        Assert.StartsWith("1\n1048576", result.StdoutText, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Start_CpuLimits_WrittenToCgroup(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with
        {
            Limits = new BoxLimits { CpuQuotaMicroseconds = 25_000, CpuShares = 256 },
        }), Token);
        var cpu = BoxFixture.CgroupDirectory(box, "cpu");
        Assert.Equal("25000", File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim());
        Assert.Equal("256", File.ReadAllText(Path.Combine(cpu, "cpu.shares")).Trim());
        // Every process of the box, init included, is in the cgroup; a command started later too.
        var result = await BoxFixture.RunAsync(box, "sleep 0.5 & echo $!");
        Assert.Equal(0, result.ExitCode);
        var procs = BoxFixture.Processes(cpu);
        Assert.Contains(box.Pid, procs);
        if (box is BubblewrapBox bwrap)
            Assert.Contains(bwrap.BwrapPid, procs);
        Assert.True(procs.Count >= 2, $"expected init and the sleep (and bwrap) in the cgroup, got {string.Join(' ', procs)}");
    }
}
