using System.Buffers.Binary;

namespace AgentFense.Runtime.Seccomp;

/// <summary>
/// One classic-BPF instruction, <c>struct sock_filter</c> of <c>linux/filter.h</c>: u16 code,
/// u8 jt, u8 jf, u32 k — 8 bytes, native (little-endian) byte order.
/// </summary>
/// <param name="Code">Opcode (class | size | mode or op | source).</param>
/// <param name="Jt">Instructions to skip when a conditional jump is taken.</param>
/// <param name="Jf">Instructions to skip when it is not.</param>
/// <param name="K">The constant operand.</param>
public readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K)
{
    /// <summary>Size of one encoded instruction.</summary>
    public const int Size = 8;

    // linux/bpf_common.h
    internal const ushort BPF_LD = 0x00, BPF_JMP = 0x05, BPF_RET = 0x06;
    internal const ushort BPF_W = 0x00, BPF_ABS = 0x20, BPF_K = 0x00;
    internal const ushort BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGE = 0x30, BPF_JSET = 0x40;

    /// <summary>Writes the instruction into <paramref name="destination"/> (8 bytes).</summary>
    public void Encode(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Code);
        destination[2] = Jt;
        destination[3] = Jf;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], K);
    }

    /// <summary>Reads an instruction written by <see cref="Encode"/>.</summary>
    public static SockFilter Decode(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt16LittleEndian(source), source[2], source[3], BinaryPrimitives.ReadUInt32LittleEndian(source[4..]));
}
