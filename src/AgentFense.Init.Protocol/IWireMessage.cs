namespace AgentFense.Init.Protocol;

/// <summary>A message with a fixed frame type that writes and reads its own payload.</summary>
/// <typeparam name="TSelf">The message type itself.</typeparam>
public interface IWireMessage<TSelf>
    where TSelf : IWireMessage<TSelf>
{
    /// <summary>The frame type carrying this message.</summary>
    static abstract MessageType Type { get; }

    /// <summary>Reads the message from a whole payload.</summary>
    static abstract TSelf Read(ReadOnlySpan<byte> payload);

    /// <summary>Writes the payload.</summary>
    void Write(WireWriter writer);
}
