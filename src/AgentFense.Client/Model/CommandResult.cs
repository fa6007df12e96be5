namespace AgentFense;

/// <summary>How a command ended and what it wrote.</summary>
public sealed record CommandResult
{
    /// <summary>The exit code (128 + the signal when a signal ended it).</summary>
    public int ExitCode { get; init; }

    /// <summary>Stdout as UTF-8 text (invalid sequences replaced).</summary>
    public string Stdout { get; init; } = "";

    /// <summary>Stderr as UTF-8 text (invalid sequences replaced).</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Stdout exactly as written.</summary>
    public ReadOnlyMemory<byte> StdoutBytes { get; init; }

    /// <summary>Stderr exactly as written.</summary>
    public ReadOnlyMemory<byte> StderrBytes { get; init; }

    /// <summary>How long the command ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Stdout passed the output limit; the rest was dropped.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Stderr passed the output limit; the rest was dropped.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>True when the exit code is 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>This result, or a <see cref="CommandFailedException"/> when the exit code is not 0.</summary>
    /// <param name="command">The command line, for the message.</param>
    public CommandResult EnsureSuccess(string command = "") => Succeeded ? this : throw new CommandFailedException(command, this);
}
