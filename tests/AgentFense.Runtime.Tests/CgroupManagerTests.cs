using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Cgroups;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

public sealed class CgroupManagerTests
{
    private static readonly BoxLimits s_limits = new()
    {
        MemoryBytes = 256L * 1024 * 1024,
        CpuQuotaMicroseconds = 50_000,
        CpuShares = 512,
        PidsMax = 64,
    };

    [Fact]
    public void Detect_UnifiedFakeRoot_IsV2UnderOwnCgroup()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "cpu memory pids\n");
        var manager = CgroupManager.Detect(root.Path, selfCgroup: "0::/system.slice/engine.service\n");
        Assert.Equal(CgroupVersion.V2, manager.Version);
        Assert.Equal([Path.Combine(root.Path, "system.slice/engine.service/agentfense")], manager.GroupDirectories);
    }

    [Fact]
    public void Create_V2_WritesLimitFilesAndEnablesControllers()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "cpu memory pids\n");
        root.CreateDirectory("engine");
        var manager = CgroupManager.Detect(root.Path, selfCgroup: "0::/engine\n");
        var cgroup = manager.Create("box1", s_limits);
        var dir = root["engine/agentfense/box1"];
        Assert.Equal([dir], cgroup.Directories);
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(root["engine/agentfense/cgroup.subtree_control"]));
        Assert.Equal("268435456", File.ReadAllText(Path.Combine(dir, "memory.max")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "memory.swap.max")));
        Assert.Equal("50000 100000", File.ReadAllText(Path.Combine(dir, "cpu.max")));
        Assert.Equal("20", File.ReadAllText(Path.Combine(dir, "cpu.weight")));
        Assert.Equal("64", File.ReadAllText(Path.Combine(dir, "pids.max")));
    }

    [Fact]
    public void OomKillCount_V2_ReadsMemoryEvents()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "memory\n");
        var cgroup = CgroupManager.Detect(root.Path, selfCgroup: "0::/\n").Create("box", new BoxLimits());
        File.WriteAllText(Path.Combine(cgroup.Directories[0], "memory.events"), "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n");
        File.WriteAllText(Path.Combine(cgroup.Directories[0], "memory.current"), "123456\n");
        Assert.Equal(2, cgroup.OomKillCount);
        Assert.Equal(123456, cgroup.MemoryUsageBytes);
    }

    [Fact]
    public async Task KillAndRemove_V2WithKillFile_WritesKillAndRemoves()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "memory\n");
        var cgroup = CgroupManager.Detect(root.Path, selfCgroup: "0::/\n").Create("box", new BoxLimits());
        File.WriteAllText(Path.Combine(cgroup.Directories[0], "cgroup.kill"), "");
        File.WriteAllText(Path.Combine(cgroup.Directories[0], "cgroup.procs"), "");
        await cgroup.KillAndRemoveAsync();
        Assert.True(cgroup.IsRemoved);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1024, 39)]
    [InlineData(262144, 10000)]
    public void SharesToWeight_KnownPoints_MapLinearly(long shares, long weight) =>
        Assert.Equal(weight, CgroupV2.SharesToWeight(shares));

    [Fact]
    public void Create_V1FakeRoot_WritesPerControllerFiles()
    {
        using var root = new TempDirectory();
        foreach (var c in new[] { "memory", "cpu", "pids" })
            root.CreateDirectory(c);
        root.WriteFile("memory/engine/memory.memsw.limit_in_bytes", "");
        var manager = CgroupManager.Detect(root.Path, selfCgroup: "4:memory:/engine\n2:cpu,cpuacct:/\n8:pids:/\n0::/\n");
        Assert.Equal(CgroupVersion.V1, manager.Version);
        var cgroup = manager.Create("b", s_limits);
        Assert.Equal("268435456", File.ReadAllText(root["memory/engine/agentfense/b/memory.limit_in_bytes"]));
        Assert.Equal("50000", File.ReadAllText(root["cpu/agentfense/b/cpu.cfs_quota_us"]));
        Assert.Equal("100000", File.ReadAllText(root["cpu/agentfense/b/cpu.cfs_period_us"]));
        Assert.Equal("512", File.ReadAllText(root["cpu/agentfense/b/cpu.shares"]));
        Assert.Equal("64", File.ReadAllText(root["pids/agentfense/b/pids.max"]));
        Assert.Equal(3, cgroup.Directories.Count);
    }

    [Fact]
    public async Task Sweep_V2Leftovers_RemovesEveryBoxCgroup()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "memory\n");
        var manager = CgroupManager.Detect(root.Path, selfCgroup: "0::/\n");
        manager.Create("old1", new BoxLimits());
        manager.Create("old2", new BoxLimits());
        var removed = await manager.SweepAsync();
        Assert.Equal(["old1", "old2"], removed);
        Assert.Empty(Directory.EnumerateDirectories(manager.GroupDirectories[0]));
    }

    [Fact]
    public void Create_ExistingName_Throws()
    {
        using var root = new TempDirectory();
        root.WriteFile("cgroup.controllers", "memory\n");
        var manager = CgroupManager.Detect(root.Path, selfCgroup: "0::/\n");
        manager.Create("same", new BoxLimits());
        Assert.Throws<BoxException>(() => manager.Create("same", new BoxLimits()));
    }

    [Fact]
    [Trait("Requires", "Root")]
    public async Task Create_RealV1_LimitsApplyAndKillRemovesProcesses()
    {
        Requires.Root();
        Requires.Gate(!File.Exists("/sys/fs/cgroup/cgroup.controllers"), "this host runs cgroup v2; v1 is tested where it runs");
        var manager = CgroupManager.Detect(groupName: "agentfense-tests-cg");
        var cgroup = manager.Create(BoxFixture.NewId(), s_limits);
        using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            cgroup.AddProcess(sleeper.Id);
            Assert.Contains(sleeper.Id, cgroup.GetProcesses());
            Assert.Equal("64", File.ReadAllText(Path.Combine(cgroup.Directories.Single(d => d.Contains("/pids/", StringComparison.Ordinal)), "pids.max")).Trim());
            Assert.True(cgroup.MemoryUsageBytes >= 0);
        }
        finally
        {
            await cgroup.KillAndRemoveAsync();
        }
        await sleeper.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(cgroup.IsRemoved);
        Assert.Empty(await manager.SweepAsync());
    }
}
