namespace AgentFense.Init.Protocol;

/// <summary>A process or session shell started. Payload: <c>i32 pid</c>.</summary>
/// <param name="Pid">Its pid (in init's pid namespace).</param>
public readonly record struct Started(int Pid) : IWireMessage<Started>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Started;

    /// <inheritdoc />
    public static Started Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new Started(reader.ReadInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer) => writer.WriteInt32(Pid);
}
