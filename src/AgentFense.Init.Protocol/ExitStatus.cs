namespace AgentFense.Init.Protocol;

/// <summary>How a command ended. Payload: <c>i32 exitCode, i32 signal, i64 durationMicros, u8 flags</c>.</summary>
/// <param name="ExitCode">The exit code, or -1 when a signal ended it.</param>
/// <param name="Signal">The terminating signal, or 0 when it exited.</param>
/// <param name="DurationMicros">Microseconds from start to exit.</param>
/// <param name="Flags">Truncation, timeout, cancellation.</param>
public readonly record struct ExitStatus(int ExitCode, int Signal, long DurationMicros, ExitFlags Flags) : IWireMessage<ExitStatus>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.Exit;

    /// <summary>True when a signal ended the command.</summary>
    public bool Signaled => Signal != 0;

    /// <summary>The shell's view of the result: the exit code, or 128 + signal.</summary>
    public int ShellExitCode => Signal != 0 ? 128 + Signal : ExitCode;

    /// <inheritdoc />
    public static ExitStatus Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var value = ReadFields(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Reads the fields from the middle of a payload.</summary>
    public static ExitStatus ReadFields(ref WireReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), (ExitFlags)reader.ReadByte());

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteInt32(ExitCode);
        writer.WriteInt32(Signal);
        writer.WriteInt64(DurationMicros);
        writer.WriteByte((byte)Flags);
    }
}
