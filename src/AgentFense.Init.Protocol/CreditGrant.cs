namespace AgentFense.Init.Protocol;

/// <summary>Grants bytes: output the engine can take (engine to init) or stdin init has written (init to engine). Payload: <c>u32 bytes</c>.</summary>
/// <param name="Bytes">Bytes granted.</param>
public readonly record struct CreditGrant(uint Bytes) : IWireMessage<CreditGrant>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Credit;

    /// <inheritdoc />
    public static CreditGrant Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new CreditGrant(reader.ReadUInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer) => writer.WriteUInt32(Bytes);
}
