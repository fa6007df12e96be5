using System.Buffers.Binary;

namespace AgentFense.Init.Protocol;

/// <summary>The 12-byte header in front of every frame (see <see cref="InitProtocol"/>).</summary>
/// <param name="PayloadLength">Bytes of payload after the header.</param>
/// <param name="Type">What the payload holds.</param>
/// <param name="RequestId">The request the frame belongs to.</param>
public readonly record struct FrameHeader(int PayloadLength, MessageType Type, uint RequestId)
{
    /// <summary>Reads a header from the first <see cref="InitProtocol.HeaderSize"/> bytes; false when fewer are present.</summary>
    /// <exception cref="InitProtocolException">The length exceeds <see cref="InitProtocol.MaxPayload"/>.</exception>
    public static bool TryRead(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        if (source.Length < InitProtocol.HeaderSize)
        {
            header = default;
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (length > InitProtocol.MaxPayload)
            throw new InitProtocolException($"frame payload of {length} bytes exceeds the limit");
        header = new FrameHeader((int)length, (MessageType)source[4], BinaryPrimitives.ReadUInt32LittleEndian(source[8..]));
        return true;
    }

    /// <summary>Writes the header into the first <see cref="InitProtocol.HeaderSize"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)PayloadLength);
        destination[4] = (byte)Type;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], RequestId);
    }
}
