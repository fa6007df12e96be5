namespace AgentFense.Runtime.Init;

/// <summary>How to start a session shell.</summary>
public sealed record class SessionOptions
{
    /// <summary>The shell; null for bash if present, else /bin/sh.</summary>
    public string? Shell { get; init; }

    /// <summary>The shell's whole environment (KEY=VALUE).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Starting working directory; null for <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Run the shell on a PTY of this size (one output stream); null for pipes.</summary>
    public (ushort Columns, ushort Rows)? Pty { get; init; }
}
