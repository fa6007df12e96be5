namespace AgentFense.Init.Protocol;

/// <summary>
/// Names a background process or session by the request id that started it; the payload of
/// <see cref="MessageType.WaitProcess"/>, <see cref="MessageType.ReleaseProcess"/> and
/// <see cref="MessageType.SessionClose"/> (frame type given at write time). Payload: <c>u32 targetId</c>.
/// </summary>
/// <param name="TargetId">The id of the request that started the process or session.</param>
public readonly record struct ProcessRef(uint TargetId)
{
    /// <summary>Reads the payload.</summary>
    public static ProcessRef Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = new ProcessRef(reader.ReadUInt32());
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Appends this as a frame of <paramref name="type"/>.</summary>
    public void WriteFrame(WireWriter writer, MessageType type, uint requestId)
    {
        writer.BeginFrame(type, requestId);
        writer.WriteUInt32(TargetId);
        writer.EndFrame();
    }
}
