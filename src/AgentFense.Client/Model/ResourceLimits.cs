namespace AgentFense;

/// <summary>Limits of a sandbox's box (cgroups); null leaves a limit unset.</summary>
/// <param name="MemoryBytes">Memory, bytes (the box is OOM-killed past it).</param>
/// <param name="CpuQuota">Microseconds of CPU per 100 ms period (50_000 = half a core).</param>
/// <param name="CpuShares">Relative CPU weight.</param>
/// <param name="PidsLimit">Most processes and threads at once.</param>
public sealed record ResourceLimits(long? MemoryBytes = null, long? CpuQuota = null, long? CpuShares = null, long? PidsLimit = null);
