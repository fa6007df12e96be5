using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Cgroups;

/// <summary>
/// A box cgroup on cgroup v1: one directory under each of the memory, cpu and pids hierarchies
/// (Documentation/admin-guide/cgroup-v1/: memory.txt, pids.rst, scheduler/sched-bwc.rst).
/// </summary>
internal sealed class CgroupV1 : Cgroup
{
    private readonly string _memory;
    private readonly string _cpu;
    private readonly string _pids;

    public CgroupV1(string name, string memory, string cpu, string pids)
        : base(name, [memory, cpu, pids])
    {
        _memory = memory;
        _cpu = cpu;
        _pids = pids;
    }

    public override IReadOnlyList<int> GetProcesses()
    {
        var all = new HashSet<int>();
        foreach (var directory in Directories)
            all.UnionWith(CgroupFiles.ReadPids(directory));
        return [.. all];
    }

    public override void AddProcess(int pid)
    {
        foreach (var directory in Directories)
            CgroupFiles.Write(directory, "cgroup.procs", CgroupFiles.Number(pid));
    }

    // memory.oom_control: "oom_kill_disable 0\nunder_oom 0\noom_kill N" (oom_kill since Linux 4.13).
    public override long OomKillCount => CgroupFiles.ReadKeyed(_memory, "memory.oom_control", "oom_kill");

    public override long MemoryUsageBytes => CgroupFiles.ReadNumber(_memory, "memory.usage_in_bytes");

    internal override void Apply(BoxLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            CgroupFiles.Write(_memory, "memory.limit_in_bytes", CgroupFiles.Number(memory));
            // Without swap accounting the file is absent; with it, memory+swap gets the same cap (no swap on top).
            if (File.Exists(Path.Combine(_memory, "memory.memsw.limit_in_bytes")))
                CgroupFiles.Write(_memory, "memory.memsw.limit_in_bytes", CgroupFiles.Number(memory));
        }
        if (limits.CpuQuotaMicroseconds is { } quota)
        {
            CgroupFiles.Write(_cpu, "cpu.cfs_period_us", CgroupFiles.Number(limits.CpuPeriodMicroseconds));
            CgroupFiles.Write(_cpu, "cpu.cfs_quota_us", CgroupFiles.Number(quota));
        }
        if (limits.CpuShares is { } shares)
            CgroupFiles.Write(_cpu, "cpu.shares", CgroupFiles.Number(shares));
        if (limits.PidsMax is { } pids)
            CgroupFiles.Write(_pids, "pids.max", CgroupFiles.Number(pids));
    }
}
