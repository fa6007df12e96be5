using AgentFense.Runtime.Seccomp;

namespace AgentFense.Runtime.Tests;

/// <summary>Runs a classic-BPF seccomp program over a <c>seccomp_data</c> the way the kernel would (the subset the filter uses).</summary>
internal static class BpfInterpreter
{
    public static uint Run(SeccompProgram program, uint arch, int nr, ulong arg0 = 0)
    {
        var data = new byte[64];
        BitConverter.TryWriteBytes(data.AsSpan(0), nr);
        BitConverter.TryWriteBytes(data.AsSpan(4), arch);
        BitConverter.TryWriteBytes(data.AsSpan(16), arg0);
        // Decode from bytes, so the encoding is what gets executed.
        var bytes = program.ToBytes();
        uint a = 0;
        var pc = 0;
        for (var steps = 0; steps < 10_000; steps++)
        {
            var ins = SockFilter.Decode(bytes.AsSpan(pc * SockFilter.Size));
            pc++;
            switch (ins.Code)
            {
                case 0x20: // BPF_LD | BPF_W | BPF_ABS
                    a = BitConverter.ToUInt32(data, (int)ins.K);
                    break;
                case 0x15: // BPF_JMP | BPF_JEQ | BPF_K
                    pc += a == ins.K ? ins.Jt : ins.Jf;
                    break;
                case 0x35: // JGE
                    pc += a >= ins.K ? ins.Jt : ins.Jf;
                    break;
                case 0x45: // JSET
                    pc += (a & ins.K) != 0 ? ins.Jt : ins.Jf;
                    break;
                case 0x06: // BPF_RET | BPF_K
                    return ins.K;
                default:
                    throw new InvalidOperationException($"opcode 0x{ins.Code:x} not modelled");
            }
            if (pc >= bytes.Length / SockFilter.Size)
                throw new InvalidOperationException("ran off the end of the program");
        }
        throw new InvalidOperationException("no return");
    }
}
