using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>What to run and how; turned into an <see cref="ExecRequest"/>.</summary>
public sealed record class ExecOptions
{
    /// <summary>A command line for <c>/bin/sh -c</c>; set this or <see cref="Argv"/>.</summary>
    public string? Command { get; init; }

    /// <summary>The program and its arguments (argv[0] is looked up in <see cref="Environment"/>'s PATH).</summary>
    public IReadOnlyList<string>? Argv { get; init; }

    /// <summary>The whole environment of the command (KEY=VALUE); nothing else is inherited.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Working directory; null for <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Stdin content; null (and <see cref="StreamStdin"/> false) for /dev/null.</summary>
    public ReadOnlyMemory<byte>? Stdin { get; init; }

    /// <summary>Stdin is written later with <see cref="CommandExecution.WriteStdinAsync"/> and closed with <see cref="CommandExecution.CloseStdinAsync"/>.</summary>
    public bool StreamStdin { get; init; }

    /// <summary>Kill the process group after this long; null for no timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes kept per output stream.</summary>
    public long OutputLimit { get; init; } = InitProtocol.DefaultOutputLimit;

    /// <summary>Run on a PTY of this size (stdout carries the terminal); null for pipes.</summary>
    public (ushort Columns, ushort Rows)? Pty { get; init; }

    /// <summary>Output bytes init may send ahead of the consumer.</summary>
    public uint CreditWindow { get; init; } = InitProtocol.DefaultInitialCredit;

    internal ExecRequest ToRequest(bool background)
    {
        var flags = ExecFlags.None;
        string[] argv;
        if (Command is not null)
        {
            flags |= ExecFlags.Shell;
            argv = [Command];
        }
        else
        {
            argv = Argv is { Count: > 0 } ? [.. Argv] : throw new ArgumentException("set Command or Argv");
        }
        if (Pty is not null)
            flags |= ExecFlags.Pty;
        if (background)
            flags |= ExecFlags.Background;
        var stdinMode = StreamStdin ? StdinMode.Stream : Stdin is not null ? StdinMode.Bytes : StdinMode.None;
        if (Stdin is { Length: > InitProtocol.MaxPayload / 2 })
            throw new ArgumentException("stdin this large must be streamed (StreamStdin)");
        return new ExecRequest
        {
            Flags = flags,
            StdinMode = stdinMode,
            Argv = argv,
            Env = [.. Environment],
            WorkingDirectory = WorkingDirectory ?? string.Empty,
            StdinBytes = stdinMode == StdinMode.Bytes ? Stdin!.Value.ToArray() : [],
            TimeoutMs = Timeout is { } t ? (uint)Math.Clamp(Math.Ceiling(t.TotalMilliseconds), 1, uint.MaxValue) : 0,
            OutputLimit = OutputLimit,
            InitialCredit = CreditWindow,
            PtyColumns = Pty?.Columns ?? 0,
            PtyRows = Pty?.Rows ?? 0,
        };
    }
}
