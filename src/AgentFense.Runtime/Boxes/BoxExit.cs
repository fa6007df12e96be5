namespace AgentFense.Runtime.Boxes;

/// <summary>How a box ended.</summary>
/// <param name="ExitCode">The runtime process's exit code, or 128 + signal.</param>
/// <param name="OomKills">Processes of the box the kernel OOM-killed during its life.</param>
/// <param name="Stopped">True when <see cref="Box.StopAsync"/> ended it.</param>
public sealed record class BoxExit(int ExitCode, long OomKills, bool Stopped);
