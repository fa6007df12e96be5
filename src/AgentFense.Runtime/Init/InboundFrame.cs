using System.Buffers;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>A received frame's payload in a buffer rented from <see cref="ArrayPool{T}.Shared"/>; return it once read.</summary>
internal sealed class InboundFrame
{
    private byte[]? _buffer;

    public InboundFrame(MessageType type, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Length = payload.Length;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1));
        payload.CopyTo(_buffer);
    }

    public MessageType Type { get; }

    public int Length { get; }

    public ReadOnlyMemory<byte> Payload => (_buffer ?? throw new ObjectDisposedException(nameof(InboundFrame))).AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => Payload.Span;

    /// <summary>Throws the <see cref="InitException"/> an <see cref="MessageType.Error"/> frame carries.</summary>
    public void ThrowIfError()
    {
        if (Type != MessageType.Error)
            return;
        var reply = ErrorReply.Read(Span);
        Return();
        throw new InitException(reply);
    }

    /// <summary>Throws unless this frame is of <paramref name="expected"/> type (or an error, which is thrown as such).</summary>
    public void Expect(MessageType expected)
    {
        ThrowIfError();
        if (Type != expected)
            throw new InitException($"init answered {Type} where {expected} was expected");
    }

    public void Return()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
