namespace AgentFense.Init.Protocol;

/// <summary>Reads kept output of a background process. Payload: <c>u32 targetId, u8 stream, i64 offset, i32 maxBytes</c>.</summary>
/// <param name="TargetId">The id of the request that started the process.</param>
/// <param name="Stream">Which stream.</param>
/// <param name="Offset">Byte offset in the stream's kept output to start at.</param>
/// <param name="MaxBytes">Most bytes to return (init caps it at <see cref="InitProtocol.MaxChunk"/> times 16).</param>
public readonly record struct ReadOutputRequest(uint TargetId, OutputStream Stream, long Offset, int MaxBytes)
    : IWireMessage<ReadOutputRequest>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.ReadOutput;

    /// <inheritdoc />
    public static ReadOutputRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new ReadOutputRequest(reader.ReadUInt32(), (OutputStream)reader.ReadByte(), reader.ReadInt64(), reader.ReadInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt32(TargetId);
        writer.WriteByte((byte)Stream);
        writer.WriteInt64(Offset);
        writer.WriteInt32(MaxBytes);
    }
}
