namespace AgentFense.Runtime.Seccomp;

/// <summary>A compiled seccomp filter: the <c>sock_filter</c> array bwrap's <c>--seccomp FD</c> reads.</summary>
public sealed class SeccompProgram
{
    /// <summary>Wraps compiled instructions.</summary>
    public SeccompProgram(IReadOnlyList<SockFilter> instructions)
    {
        if (instructions.Count is 0 or > MaxInstructions)
            throw new ArgumentException($"a filter has 1 to {MaxInstructions} instructions, not {instructions.Count}", nameof(instructions));
        Instructions = instructions;
    }

    /// <summary>The kernel's limit on instructions per filter (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    /// <summary>The instructions in order.</summary>
    public IReadOnlyList<SockFilter> Instructions { get; }

    /// <summary>The program as the kernel reads it: 8 bytes per instruction.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Instructions.Count * SockFilter.Size];
        for (var i = 0; i < Instructions.Count; i++)
            Instructions[i].Encode(bytes.AsSpan(i * SockFilter.Size));
        return bytes;
    }
}
