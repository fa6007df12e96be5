namespace AgentFense;

/// <summary>
/// An entry of a sandbox's audit trail: a filesystem operation its policy refused, or (from a server that
/// records them) a command its box ran.
/// </summary>
/// <param name="Time">When (a command's start).</param>
/// <param name="Operation">Refusals: named like the syscall family: lookup, open-read, unlink, ...</param>
/// <param name="Path">Refusals: relative to the codebase root.</param>
/// <param name="Level">Refusals: the level the path has, which was not enough.</param>
public sealed record AuditRecord(DateTimeOffset Time, string Operation, string Path, Permission Level)
{
    /// <summary>A refusal, or a command.</summary>
    public AuditKind Kind { get; init; } = AuditKind.Refusal;

    /// <summary>Commands: the command line.</summary>
    public string? Command { get; init; }

    /// <summary>Commands: the session it ran in, or null for an exec.</summary>
    public string? SessionId { get; init; }

    /// <summary>Commands: the exit code (128 + signal when killed).</summary>
    public int? ExitCode { get; init; }

    /// <summary>Commands: how long it ran.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Commands: exit_zero, exit_nonzero, timeout, oom, killed, or failed.</summary>
    public string? Outcome { get; init; }
}
