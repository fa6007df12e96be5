namespace AgentFense.Init.Protocol;

/// <summary>A signal for a process group. Payload: <c>i32 signal</c>.</summary>
/// <param name="Signal">Linux signal number (9 = SIGKILL, 15 = SIGTERM, ...).</param>
public readonly record struct SignalRequest(int Signal) : IWireMessage<SignalRequest>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Signal;

    /// <inheritdoc />
    public static SignalRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new SignalRequest(reader.ReadInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer) => writer.WriteInt32(Signal);
}
