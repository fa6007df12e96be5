namespace AgentFense.Init.Protocol;

/// <summary>
/// Kept output of a background process. Payload: <c>u8 stream, i64 offset, i64 total, u8 flags
/// (1 = truncated, 2 = finished: the process exited and no more output will come), bytes data</c>.
/// </summary>
public sealed record class OutputData : IWireMessage<OutputData>
{
    /// <summary>Which stream.</summary>
    public OutputStream Stream { get; init; }

    /// <summary>Offset of the first byte of <see cref="Data"/>.</summary>
    public long Offset { get; init; }

    /// <summary>Bytes kept so far in this stream.</summary>
    public long Total { get; init; }

    /// <summary>The stream passed the output limit.</summary>
    public bool Truncated { get; init; }

    /// <summary>The process has exited and its output is complete.</summary>
    public bool Finished { get; init; }

    /// <summary>The bytes.</summary>
    public byte[] Data { get; init; } = [];

    /// <inheritdoc />
    public static MessageType Type => MessageType.OutputData;

    /// <inheritdoc />
    public static OutputData Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var stream = (OutputStream)reader.ReadByte();
        var offset = reader.ReadInt64();
        var total = reader.ReadInt64();
        var flags = reader.ReadByte();
        var data = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return new OutputData
        {
            Stream = stream, Offset = offset, Total = total,
            Truncated = (flags & 1) != 0, Finished = (flags & 2) != 0, Data = data,
        };
    }

    /// <inheritdoc />
    public void Write(WireWriter writer) => WritePayload(writer, Stream, Offset, Total, Truncated, Finished, Data);

    /// <summary>Writes the payload from a span, without building the record (init's path).</summary>
    public static void WritePayload(WireWriter writer, OutputStream stream, long offset, long total, bool truncated, bool finished, ReadOnlySpan<byte> data)
    {
        writer.WriteByte((byte)stream);
        writer.WriteInt64(offset);
        writer.WriteInt64(total);
        writer.WriteByte((byte)((truncated ? 1 : 0) | (finished ? 2 : 0)));
        writer.WriteBytes(data);
    }
}
