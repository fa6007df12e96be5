namespace AgentFense.Init.Protocol;

/// <summary>Init is ready. Payload: <c>u16 version, i32 pid</c>.</summary>
/// <param name="Version">The protocol version init speaks.</param>
/// <param name="Pid">Init's pid (1 inside a box).</param>
public readonly record struct Hello(ushort Version, int Pid) : IWireMessage<Hello>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Hello;

    /// <inheritdoc />
    public static Hello Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new Hello(reader.ReadUInt16(), reader.ReadInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt16(Version);
        writer.WriteInt32(Pid);
    }
}
