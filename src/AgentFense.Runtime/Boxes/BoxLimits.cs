namespace AgentFense.Runtime.Boxes;

/// <summary>Resource limits of one box; null means unlimited (inherited from the parent cgroup).</summary>
public sealed record class BoxLimits
{
    /// <summary>The CFS period the CPU quota is measured against: 100 ms.</summary>
    public const long DefaultCpuPeriodMicroseconds = 100_000;

    /// <summary>Memory (RSS + page cache + kernel memory) in bytes; past it the kernel OOM-kills inside the box. Swap is not granted on top.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>CPU time in microseconds the box may use per <see cref="CpuPeriodMicroseconds"/> (50,000 = half a core).</summary>
    public long? CpuQuotaMicroseconds { get; init; }

    /// <summary>The period of <see cref="CpuQuotaMicroseconds"/>.</summary>
    public long CpuPeriodMicroseconds { get; init; } = DefaultCpuPeriodMicroseconds;

    /// <summary>Relative CPU weight under contention, in cgroup v1 shares (1024 = default; v2 converts to cpu.weight).</summary>
    public long? CpuShares { get; init; }

    /// <summary>Most processes and threads alive at once in the box (init and bwrap included).</summary>
    public long? PidsMax { get; init; }

    /// <summary>Size of the <c>/tmp</c> tmpfs in bytes (its pages also count against <see cref="MemoryBytes"/>).</summary>
    public long TmpSizeBytes { get; init; } = 64L * 1024 * 1024;
}
