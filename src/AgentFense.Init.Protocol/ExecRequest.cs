namespace AgentFense.Init.Protocol;

/// <summary>
/// Runs a command. Payload: <c>u8 flags, u8 stdinMode, string[] argv, string[] env, string workdir,
/// bytes stdin, u32 timeoutMs, i64 outputLimit, u32 initialCredit, u16 ptyColumns, u16 ptyRows</c>.
/// </summary>
public sealed record class ExecRequest : IWireMessage<ExecRequest>
{
    /// <summary>Options.</summary>
    public ExecFlags Flags { get; init; }

    /// <summary>Where stdin comes from.</summary>
    public StdinMode StdinMode { get; init; }

    /// <summary>The program and its arguments; with <see cref="ExecFlags.Shell"/>, one command line.</summary>
    public string[] Argv { get; init; } = [];

    /// <summary>The whole environment as <c>KEY=VALUE</c>; nothing else is inherited.</summary>
    public string[] Env { get; init; } = [];

    /// <summary>Working directory; empty for <c>/</c>.</summary>
    public string WorkingDirectory { get; init; } = string.Empty;

    /// <summary>Stdin content for <see cref="StdinMode.Bytes"/>.</summary>
    public byte[] StdinBytes { get; init; } = [];

    /// <summary>Milliseconds until the process group is killed; 0 for none.</summary>
    public uint TimeoutMs { get; init; }

    /// <summary>Bytes kept per output stream; the rest is read and dropped.</summary>
    public long OutputLimit { get; init; } = InitProtocol.DefaultOutputLimit;

    /// <summary>Output bytes init may send before the engine grants more.</summary>
    public uint InitialCredit { get; init; } = InitProtocol.DefaultInitialCredit;

    /// <summary>PTY width in columns (with <see cref="ExecFlags.Pty"/>).</summary>
    public ushort PtyColumns { get; init; }

    /// <summary>PTY height in rows (with <see cref="ExecFlags.Pty"/>).</summary>
    public ushort PtyRows { get; init; }

    /// <inheritdoc />
    public static MessageType Type => MessageType.Exec;

    /// <inheritdoc />
    public static ExecRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var request = new ExecRequest
        {
            Flags = (ExecFlags)reader.ReadByte(),
            StdinMode = (StdinMode)reader.ReadByte(),
            Argv = reader.ReadStringList(),
            Env = reader.ReadStringList(),
            WorkingDirectory = reader.ReadString(),
            StdinBytes = reader.ReadBytes().ToArray(),
            TimeoutMs = reader.ReadUInt32(),
            OutputLimit = reader.ReadInt64(),
            InitialCredit = reader.ReadUInt32(),
            PtyColumns = reader.ReadUInt16(),
            PtyRows = reader.ReadUInt16(),
        };
        reader.EnsureEnd();
        return request;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteByte((byte)Flags);
        writer.WriteByte((byte)StdinMode);
        writer.WriteStringList(Argv);
        writer.WriteStringList(Env);
        writer.WriteString(WorkingDirectory);
        writer.WriteBytes(StdinBytes);
        writer.WriteUInt32(TimeoutMs);
        writer.WriteInt64(OutputLimit);
        writer.WriteUInt32(InitialCredit);
        writer.WriteUInt16(PtyColumns);
        writer.WriteUInt16(PtyRows);
    }
}
