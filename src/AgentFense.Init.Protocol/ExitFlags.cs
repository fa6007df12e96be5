namespace AgentFense.Init.Protocol;

/// <summary>What else happened to a command besides its exit code.</summary>
[Flags]
public enum ExitFlags : byte
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>Stdout passed the output limit; the rest was dropped.</summary>
    StdoutTruncated = 1,

    /// <summary>Stderr passed the output limit; the rest was dropped.</summary>
    StderrTruncated = 2,

    /// <summary>The timeout expired and the process group was killed.</summary>
    TimedOut = 4,

    /// <summary>A <see cref="MessageType.Cancel"/> killed the process group.</summary>
    Cancelled = 8,

    /// <summary>A session command ended its session (the shell exited or had to be killed).</summary>
    SessionEnded = 16,
}
