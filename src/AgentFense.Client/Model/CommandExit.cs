namespace AgentFense;

/// <summary>How a streamed command ended.</summary>
/// <param name="ExitCode">The exit code (128 + signal).</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="StdoutTruncated">Stdout passed the output limit.</param>
/// <param name="StderrTruncated">Stderr passed the output limit.</param>
public sealed record CommandExit(int ExitCode, TimeSpan Duration, bool StdoutTruncated = false, bool StderrTruncated = false);
