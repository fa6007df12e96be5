namespace AgentFense;

/// <summary>A background process of a sandbox.</summary>
public sealed record ProcessInfo
{
    /// <summary>Its id in the sandbox.</summary>
    public required string Id { get; init; }

    /// <summary>The sandbox it runs in.</summary>
    public required string SandboxId { get; init; }

    /// <summary>Its command line.</summary>
    public string Command { get; init; } = "";

    /// <summary>True while it runs.</summary>
    public bool IsRunning { get; init; }

    /// <summary>Its process id inside the box.</summary>
    public int Pid { get; init; }

    /// <summary>Its exit code once ended (128 + signal).</summary>
    public int? ExitCode { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }
}
