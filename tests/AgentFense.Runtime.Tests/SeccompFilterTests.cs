using AgentFense.Runtime.Seccomp;

namespace AgentFense.Runtime.Tests;

public sealed class SeccompFilterTests
{
    private const uint Eperm = SeccompFilter.RetErrno | SeccompFilter.Eperm;

    [Fact]
    public void Encode_Instruction_IsKernelLayout()
    {
        var bytes = new byte[8];
        new SockFilter(0x15, 3, 7, 0xC000003E).Encode(bytes);
        Assert.Equal(new byte[] { 0x15, 0x00, 3, 7, 0x3E, 0x00, 0x00, 0xC0 }, bytes);
        Assert.Equal(new SockFilter(0x15, 3, 7, 0xC000003E), SockFilter.Decode(bytes));
    }

    [Fact]
    public void Default_Start_ChecksArchitectureFirst()
    {
        var code = SeccompFilter.Default.Instructions;
        Assert.Equal(new SockFilter(0x20, 0, 0, 4), code[0]);
        Assert.Equal(0x15, code[1].Code);
        Assert.Equal(SeccompFilter.AuditArchX86_64, code[1].K);
        Assert.Equal(SeccompFilter.Default.Instructions.Count * 8, SeccompFilter.Default.ToBytes().Length);
    }

    [Theory]
    [InlineData(0x40000003u)] // i386
    [InlineData(0xC00000B7u)] // aarch64
    public void Run_ForeignArchitecture_KillsProcess(uint arch) =>
        Assert.Equal(SeccompFilter.RetKillProcess, BpfInterpreter.Run(SeccompFilter.Default, arch, 39));

    [Fact]
    public void Run_X32Syscall_KillsProcess() =>
        Assert.Equal(SeccompFilter.RetKillProcess, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, 0x40000000 + X64Syscalls.mount));

    [Fact]
    public void Run_EveryDeniedSyscall_ReturnsEperm()
    {
        Assert.Contains(X64Syscalls.mount, SeccompFilter.DeniedSyscalls);
        foreach (var nr in SeccompFilter.DeniedSyscalls)
            Assert.Equal(Eperm, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, nr));
    }

    [Theory]
    [InlineData(0)] // read
    [InlineData(39)] // getpid
    [InlineData(59)] // execve
    [InlineData(57)] // fork
    [InlineData(157)] // prctl
    public void Run_OrdinarySyscall_Allows(int nr) =>
        Assert.Equal(SeccompFilter.RetAllow, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, nr));

    [Theory]
    [InlineData(X64Syscalls.clone)]
    [InlineData(X64Syscalls.unshare)]
    public void Run_CloneNewUser_ReturnsEpermOtherFlagsAllowed(int nr)
    {
        Assert.Equal(Eperm, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, nr, SeccompFilter.CloneNewUser | 0x11));
        Assert.Equal(SeccompFilter.RetAllow, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, nr, 0x01200011)); // fork-style clone flags
    }

    [Fact]
    public void Run_Clone3_ReturnsEnosysSoLibcFallsBack() =>
        Assert.Equal(SeccompFilter.RetErrno | SeccompFilter.Enosys, BpfInterpreter.Run(SeccompFilter.Default, SeccompFilter.AuditArchX86_64, X64Syscalls.clone3));

    [Fact]
    public void Assemble_UndefinedLabel_Throws()
    {
        var asm = new BpfAssembler();
        asm.JumpIfEqual(1, "nowhere");
        Assert.Throws<InvalidOperationException>(() => asm.Assemble());
    }
}
