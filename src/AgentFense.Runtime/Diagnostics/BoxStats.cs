namespace AgentFense.Runtime.Diagnostics;

/// <summary>What a box's cgroup reports now; a value its cgroup version or controllers do not offer is null.</summary>
/// <param name="MemoryBytes">Memory charged to the box.</param>
/// <param name="CpuSeconds">CPU time used by the box's processes since it started.</param>
/// <param name="Processes">Processes (tasks) in the box.</param>
/// <param name="IoReadBytes">Bytes read from block devices.</param>
/// <param name="IoWriteBytes">Bytes written to block devices.</param>
public readonly record struct BoxStats(long? MemoryBytes, double? CpuSeconds, long? Processes, long? IoReadBytes, long? IoWriteBytes);
