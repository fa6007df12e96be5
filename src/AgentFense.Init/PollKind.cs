namespace AgentFense.Init;

/// <summary>What a poll entry watches.</summary>
internal enum PollKind : byte
{
    Socket,
    PidFd,
    Stdout,
    Stderr,
    Stdin,
}
