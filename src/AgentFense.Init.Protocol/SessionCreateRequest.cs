namespace AgentFense.Init.Protocol;

/// <summary>
/// Starts a session shell. Payload: <c>string shell, string[] env, string workdir, u8 pty,
/// u16 ptyColumns, u16 ptyRows</c>.
/// </summary>
public sealed record class SessionCreateRequest : IWireMessage<SessionCreateRequest>
{
    /// <summary>Path of the shell; empty for bash if present, else /bin/sh.</summary>
    public string Shell { get; init; } = string.Empty;

    /// <summary>The shell's whole environment as <c>KEY=VALUE</c>.</summary>
    public string[] Env { get; init; } = [];

    /// <summary>Starting working directory; empty for <c>/</c>.</summary>
    public string WorkingDirectory { get; init; } = string.Empty;

    /// <summary>Run the shell on a PTY (one output stream, for interactive programs).</summary>
    public bool Pty { get; init; }

    /// <summary>PTY width in columns.</summary>
    public ushort PtyColumns { get; init; }

    /// <summary>PTY height in rows.</summary>
    public ushort PtyRows { get; init; }

    /// <inheritdoc />
    public static MessageType Type => MessageType.SessionCreate;

    /// <inheritdoc />
    public static SessionCreateRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new SessionCreateRequest
        {
            Shell = reader.ReadString(),
            Env = reader.ReadStringList(),
            WorkingDirectory = reader.ReadString(),
            Pty = reader.ReadByte() != 0,
            PtyColumns = reader.ReadUInt16(),
            PtyRows = reader.ReadUInt16(),
        };
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteString(Shell);
        writer.WriteStringList(Env);
        writer.WriteString(WorkingDirectory);
        writer.WriteByte(Pty ? (byte)1 : (byte)0);
        writer.WriteUInt16(PtyColumns);
        writer.WriteUInt16(PtyRows);
    }
}
