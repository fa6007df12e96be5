namespace AgentFense.Init.Protocol;

/// <summary>A request failed. Payload: <c>u16 code, i32 errno, string message</c>.</summary>
/// <param name="Code">What failed.</param>
/// <param name="Errno">The errno of the failed system call, or 0.</param>
/// <param name="Message">Human-readable detail naming the call and its arguments.</param>
public readonly record struct ErrorReply(ErrorCode Code, int Errno, string Message) : IWireMessage<ErrorReply>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Error;

    /// <inheritdoc />
    public static ErrorReply Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new ErrorReply((ErrorCode)reader.ReadUInt16(), reader.ReadInt32(), reader.ReadString());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt16((ushort)Code);
        writer.WriteInt32(Errno);
        writer.WriteString(Message);
    }
}
