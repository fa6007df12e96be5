using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Cgroups;

/// <summary>
/// A box cgroup on the unified hierarchy (Documentation/admin-guide/cgroup-v2.rst): memory.max
/// with memory.swap.max 0, cpu.max "quota period", cpu.weight, pids.max; OOM kills counted by
/// memory.events' <c>oom_kill</c>; teardown through <c>cgroup.kill</c> (Linux 5.14).
/// </summary>
internal sealed class CgroupV2 : Cgroup
{
    private readonly string _directory;

    public CgroupV2(string name, string directory)
        : base(name, [directory])
    {
        _directory = directory;
    }

    public override IReadOnlyList<int> GetProcesses() => CgroupFiles.ReadPids(_directory);

    public override void AddProcess(int pid) => CgroupFiles.Write(_directory, "cgroup.procs", CgroupFiles.Number(pid));

    public override long OomKillCount => CgroupFiles.ReadKeyed(_directory, "memory.events", "oom_kill");

    public override long MemoryUsageBytes => CgroupFiles.ReadNumber(_directory, "memory.current");

    internal override void Apply(BoxLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            CgroupFiles.Write(_directory, "memory.max", CgroupFiles.Number(memory));
            CgroupFiles.Write(_directory, "memory.swap.max", "0");
        }
        if (limits.CpuQuotaMicroseconds is { } quota)
            CgroupFiles.Write(_directory, "cpu.max", $"{CgroupFiles.Number(quota)} {CgroupFiles.Number(limits.CpuPeriodMicroseconds)}");
        if (limits.CpuShares is { } shares)
            CgroupFiles.Write(_directory, "cpu.weight", CgroupFiles.Number(SharesToWeight(shares)));
        if (limits.PidsMax is { } pids)
            CgroupFiles.Write(_directory, "pids.max", CgroupFiles.Number(pids));
    }

    /// <summary>
    /// Maps v1 shares [2, 262144] linearly onto v2 weight [1, 10000], so the v1 default 1024
    /// lands near the v2 default 100 (the mapping OCI runtimes document for cpu.weight).
    /// </summary>
    public static long SharesToWeight(long shares)
    {
        var clamped = Math.Clamp(shares, 2, 262_144);
        return 1 + ((clamped - 2) * 9_999 / 262_142);
    }

    protected override void KillAll()
    {
        if (File.Exists(Path.Combine(_directory, "cgroup.kill")))
        {
            try
            {
                CgroupFiles.Write(_directory, "cgroup.kill", "1");
                return;
            }
            catch (IOException)
            {
                // Fall back to signalling each process.
            }
        }
        base.KillAll();
    }
}
