namespace AgentFense.Init.Protocol;

/// <summary>
/// Runs one command in a session. Payload: <c>u32 sessionId, string command, u32 timeoutMs,
/// i64 outputLimit, u32 initialCredit, u8 waitIfBusy</c>.
/// </summary>
public sealed record class SessionExecRequest : IWireMessage<SessionExecRequest>
{
    /// <summary>The id of the <see cref="MessageType.SessionCreate"/> request.</summary>
    public uint SessionId { get; init; }

    /// <summary>The shell command line.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>Milliseconds until the command's processes are killed; 0 for none.</summary>
    public uint TimeoutMs { get; init; }

    /// <summary>Bytes kept per output stream.</summary>
    public long OutputLimit { get; init; } = InitProtocol.DefaultOutputLimit;

    /// <summary>Output bytes init may send before the engine grants more.</summary>
    public uint InitialCredit { get; init; } = InitProtocol.DefaultInitialCredit;

    /// <summary>When the session is busy: true to queue behind the running command, false to fail with <see cref="ErrorCode.SessionBusy"/>.</summary>
    public bool WaitIfBusy { get; init; }

    /// <inheritdoc />
    public static MessageType Type => MessageType.SessionExec;

    /// <inheritdoc />
    public static SessionExecRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new SessionExecRequest
        {
            SessionId = reader.ReadUInt32(),
            Command = reader.ReadString(),
            TimeoutMs = reader.ReadUInt32(),
            OutputLimit = reader.ReadInt64(),
            InitialCredit = reader.ReadUInt32(),
            WaitIfBusy = reader.ReadByte() != 0,
        };
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt32(SessionId);
        writer.WriteString(Command);
        writer.WriteUInt32(TimeoutMs);
        writer.WriteInt64(OutputLimit);
        writer.WriteUInt32(InitialCredit);
        writer.WriteByte(WaitIfBusy ? (byte)1 : (byte)0);
    }
}
