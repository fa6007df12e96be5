using System.Buffers.Binary;
using System.Text;

namespace AgentFense.Init.Protocol;

/// <summary>Reads payload fields in order from one frame's payload; a short or malformed payload throws <see cref="InitProtocolException"/>.</summary>
public ref struct WireReader
{
    private ReadOnlySpan<byte> _rest;

    /// <summary>Creates a reader over one payload.</summary>
    public WireReader(ReadOnlySpan<byte> payload)
    {
        _rest = payload;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _rest;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a little-endian u16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian u32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian i32.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian i64.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads <c>u32 length</c> + bytes, as a slice of the payload.</summary>
    public ReadOnlySpan<byte> ReadBytes() => Take(CheckedLength(ReadUInt32()));

    /// <summary>Reads <c>u32 length</c> + UTF-8 bytes.</summary>
    public string ReadString()
    {
        var bytes = ReadBytes();
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads <c>u32 count</c> + strings.</summary>
    public string[] ReadStringList()
    {
        var count = CheckedLength(ReadUInt32());
        if (count > _rest.Length / 4)
            throw new InitProtocolException($"list of {count} strings in {_rest.Length} bytes");
        if (count == 0)
            return [];
        var values = new string[count];
        for (var i = 0; i < values.Length; i++)
            values[i] = ReadString();
        return values;
    }

    /// <summary>Reads everything left (the raw data at the end of a frame).</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _rest;
        _rest = default;
        return rest;
    }

    /// <summary>Throws unless the whole payload was read.</summary>
    public readonly void EnsureEnd()
    {
        if (!_rest.IsEmpty)
            throw new InitProtocolException($"{_rest.Length} unexpected bytes after the payload");
    }

    private static int CheckedLength(uint length) =>
        length <= InitProtocol.MaxPayload ? (int)length : throw new InitProtocolException($"length {length} exceeds the limit");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_rest.Length < count)
            throw new InitProtocolException($"payload ends {count - _rest.Length} bytes early");
        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
