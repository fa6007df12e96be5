namespace AgentFense.Init.Protocol;

/// <summary>New PTY size. Payload: <c>u16 columns, u16 rows</c>.</summary>
/// <param name="Columns">Width.</param>
/// <param name="Rows">Height.</param>
public readonly record struct ResizeRequest(ushort Columns, ushort Rows) : IWireMessage<ResizeRequest>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Resize;

    /// <inheritdoc />
    public static ResizeRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new ResizeRequest(reader.ReadUInt16(), reader.ReadUInt16());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt16(Columns);
        writer.WriteUInt16(Rows);
    }
}
