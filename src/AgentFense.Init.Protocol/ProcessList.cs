namespace AgentFense.Init.Protocol;

/// <summary>Background processes. Payload: <c>u32 count</c>, then per process <c>u32 id, i32 pid, u8 state, string command, exit status</c>.</summary>
/// <param name="Processes">The processes, in start order.</param>
public sealed record class ProcessList(ProcessInfo[] Processes) : IWireMessage<ProcessList>
{
    /// <inheritdoc />
    public static MessageType Type => MessageType.ProcessList;

    /// <inheritdoc />
    public static ProcessList Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var count = reader.ReadUInt32();
        if (count > payload.Length / 10)
            throw new InitProtocolException($"list of {count} processes in {payload.Length} bytes");
        var processes = new ProcessInfo[count];
        for (var i = 0; i < processes.Length; i++)
        {
            processes[i] = new ProcessInfo(reader.ReadUInt32(), reader.ReadInt32(), (ProcessState)reader.ReadByte(),
                reader.ReadString(), ExitStatus.ReadFields(ref reader));
        }
        reader.EnsureEnd();
        return new ProcessList(processes);
    }

    /// <inheritdoc />
    public void Write(WireWriter writer)
    {
        writer.WriteUInt32((uint)Processes.Length);
        foreach (var process in Processes)
        {
            writer.WriteUInt32(process.Id);
            writer.WriteInt32(process.Pid);
            writer.WriteByte((byte)process.State);
            writer.WriteString(process.Command);
            process.Exit.Write(writer);
        }
    }
}
