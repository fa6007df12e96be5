using AgentFense.Policy;

namespace AgentFense.Server.Audit;

/// <summary>What an audit event records.</summary>
internal enum AuditKind
{
    /// <summary>A filesystem operation the policy refused.</summary>
    Refusal = 1,

    /// <summary>A command the box ran.</summary>
    Command = 2,
}

/// <summary>One event of a sandbox's audit trail, as stored (refusal fields or command fields are set by kind).</summary>
internal sealed record class AuditEvent(string SandboxId, DateTimeOffset Time, AuditKind Kind)
{
    /// <summary>The row's sequence number (increasing in insertion order); 0 before it is stored.</summary>
    public long Sequence { get; init; }

    /// <summary>Refusal: the operation, named like the syscall family.</summary>
    public string Operation { get; init; } = "";

    /// <summary>Refusal: the sandbox-relative path.</summary>
    public string Path { get; init; } = "";

    /// <summary>Refusal: the level the path had.</summary>
    public Permission Level { get; init; }

    /// <summary>Refusal: the rule that decided, when one did.</summary>
    public PermissionRule? Rule { get; init; }

    /// <summary>Command: the API session id, or "" for an exec.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>Command: the command line.</summary>
    public string Command { get; init; } = "";

    /// <summary>Command: the exit code (128+N when killed by signal N; -1 when it never ran).</summary>
    public int ExitCode { get; init; }

    /// <summary>Command: how long it ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Command: exit_zero, exit_nonzero, timeout, oom, killed or failed.</summary>
    public string Outcome { get; init; } = "";
}
