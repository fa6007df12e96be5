using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>Options of one command in a session.</summary>
public sealed record class SessionExecOptions
{
    /// <summary>Kill the command's processes after this long (the shell survives if it can); null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes kept per output stream.</summary>
    public long OutputLimit { get; init; } = InitProtocol.DefaultOutputLimit;

    /// <summary>When the session runs another command: true to wait for it, false to fail with <see cref="ErrorCode.SessionBusy"/>.</summary>
    public bool WaitIfBusy { get; init; } = true;

    /// <summary>Output bytes init may send ahead of the consumer.</summary>
    public uint CreditWindow { get; init; } = InitProtocol.DefaultInitialCredit;
}
