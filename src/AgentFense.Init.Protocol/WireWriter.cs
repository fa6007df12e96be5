using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AgentFense.Init.Protocol;

/// <summary>
/// Appends frames to one growable buffer rented from <see cref="ArrayPool{T}.Shared"/>: begin a
/// frame, write its fields, end it (the header's length is patched then). Several frames may be
/// appended before the buffer is sent in one write. Not thread-safe.
/// </summary>
public sealed class WireWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    /// <summary>Creates a writer with room for <paramref name="capacity"/> bytes before it grows.</summary>
    public WireWriter(int capacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Bytes written and not yet consumed.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Bytes written and not yet consumed, as memory (valid until the next write).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Number of bytes written and not yet consumed.</summary>
    public int Length => _length;

    /// <summary>Starts a frame; fields written until <see cref="EndFrame"/> are its payload.</summary>
    public void BeginFrame(MessageType type, uint requestId)
    {
        if (_frameStart >= 0)
            throw new InvalidOperationException("a frame is already open");
        _frameStart = _length;
        var span = GetSpan(InitProtocol.HeaderSize);
        new FrameHeader(0, type, requestId).Write(span);
        _length += InitProtocol.HeaderSize;
    }

    /// <summary>Ends the open frame, patching its payload length.</summary>
    public void EndFrame()
    {
        if (_frameStart < 0)
            throw new InvalidOperationException("no frame is open");
        var payload = _length - _frameStart - InitProtocol.HeaderSize;
        if (payload > InitProtocol.MaxPayload)
            throw new InitProtocolException($"frame payload of {payload} bytes exceeds the limit");
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_frameStart), (uint)payload);
        _frameStart = -1;
    }

    /// <summary>Appends a frame with an empty payload.</summary>
    public void WriteEmptyFrame(MessageType type, uint requestId)
    {
        BeginFrame(type, requestId);
        EndFrame();
    }

    /// <summary>Appends one whole message as a frame.</summary>
    public void WriteFrame<T>(uint requestId, in T message)
        where T : IWireMessage<T>
    {
        BeginFrame(T.Type, requestId);
        message.Write(this);
        EndFrame();
    }

    /// <summary>Appends an <see cref="MessageType.Output"/> frame: stream byte, then the data.</summary>
    public void WriteOutputFrame(uint requestId, OutputStream stream, ReadOnlySpan<byte> data)
    {
        BeginFrame(MessageType.Output, requestId);
        WriteByte((byte)stream);
        WriteRaw(data);
        EndFrame();
    }

    /// <summary>Appends a <see cref="MessageType.Stdin"/> frame carrying <paramref name="data"/>.</summary>
    public void WriteStdinFrame(uint requestId, ReadOnlySpan<byte> data)
    {
        BeginFrame(MessageType.Stdin, requestId);
        WriteRaw(data);
        EndFrame();
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (already sent).</summary>
    public void Consume(int count)
    {
        if (count >= _length)
        {
            _length = 0;
            return;
        }
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }

    /// <summary>Drops everything written.</summary>
    public void Clear()
    {
        _length = 0;
        _frameStart = -1;
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    /// <summary>Writes a little-endian u16.</summary>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        _length += 2;
    }

    /// <summary>Writes a little-endian u32.</summary>
    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        _length += 4;
    }

    /// <summary>Writes a little-endian i32.</summary>
    public void WriteInt32(int value) => WriteUInt32((uint)value);

    /// <summary>Writes a little-endian i64.</summary>
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        _length += 8;
    }

    /// <summary>Writes <c>u32 length</c> + the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes <c>u32 length</c> + UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = GetSpan(4 + max);
        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)written);
        _length += 4 + written;
    }

    /// <summary>Writes <c>u32 count</c> + each string.</summary>
    public void WriteStringList(IReadOnlyList<string> values)
    {
        WriteUInt32((uint)values.Count);
        for (var i = 0; i < values.Count; i++)
            WriteString(values[i]);
    }

    /// <summary>Writes bytes without a length prefix (the rest of a frame).</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(GetSpan(value.Length));
        _length += value.Length;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    private Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
            Grow(size);
        return _buffer.AsSpan(_length);
    }

    private void Grow(int size)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
