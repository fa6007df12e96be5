namespace AgentFense;

/// <summary>Where a sandbox is in its life.</summary>
public enum SandboxStatus
{
    /// <summary>Unknown to this SDK (a newer server).</summary>
    Unknown = 0,

    /// <summary>Created, never started.</summary>
    Pending = 1,

    /// <summary>Its box runs: commands, sessions and file operations work.</summary>
    Running = 2,

    /// <summary>Stopped; its delta is kept and it can start again.</summary>
    Stopped = 3,

    /// <summary>Failed; <see cref="SandboxInfo.StatusReason"/> says why.</summary>
    Error = 4,
}
