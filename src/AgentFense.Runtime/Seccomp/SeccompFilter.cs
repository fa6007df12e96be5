namespace AgentFense.Runtime.Seccomp;

/// <summary>
/// The box's seccomp filter (x86_64). Overview: the filter first checks the architecture
/// (<c>seccomp_data.arch</c>; a foreign ABI such as i386 via int 0x80 has other numbers, so it is
/// killed) and refuses x32 numbers (bit 30), then refuses each denied call with EPERM, refuses
/// <c>clone</c>/<c>unshare</c> whose flags ask for CLONE_NEWUSER, answers <c>clone3</c> with
/// ENOSYS (its flags live in memory a filter cannot read; libc then falls back to <c>clone</c>),
/// and allows the rest. Layout of <c>struct seccomp_data</c> (<c>linux/seccomp.h</c>): int nr at 0,
/// u32 arch at 4, u64 ip at 8, u64 args[6] at 16.
/// </summary>
public static class SeccompFilter
{
    /// <summary>AUDIT_ARCH_X86_64 (<c>linux/audit.h</c>): EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.</summary>
    public const uint AuditArchX86_64 = 0xC000003E;

    /// <summary>__X32_SYSCALL_BIT.</summary>
    public const uint X32SyscallBit = 0x40000000;

    /// <summary>CLONE_NEWUSER (<c>linux/sched.h</c>).</summary>
    public const uint CloneNewUser = 0x10000000;

    /// <summary>SECCOMP_RET_KILL_PROCESS.</summary>
    public const uint RetKillProcess = 0x80000000;

    /// <summary>SECCOMP_RET_ERRNO (the errno in the low 16 bits).</summary>
    public const uint RetErrno = 0x00050000;

    /// <summary>SECCOMP_RET_ALLOW.</summary>
    public const uint RetAllow = 0x7FFF0000;

    /// <summary>EPERM.</summary>
    public const uint Eperm = 1;

    /// <summary>ENOSYS.</summary>
    public const uint Enosys = 38;

    /// <summary>Calls refused with EPERM whatever their arguments.</summary>
    public static IReadOnlyList<int> DeniedSyscalls { get; } =
    [
        X64Syscalls.mount, X64Syscalls.umount2, X64Syscalls.pivot_root, X64Syscalls.open_tree, X64Syscalls.move_mount,
        X64Syscalls.fsopen, X64Syscalls.fsconfig, X64Syscalls.fsmount, X64Syscalls.fspick, X64Syscalls.mount_setattr,
        X64Syscalls.ptrace, X64Syscalls.kexec_load, X64Syscalls.kexec_file_load,
        X64Syscalls.init_module, X64Syscalls.finit_module, X64Syscalls.delete_module, X64Syscalls.create_module,
        X64Syscalls.bpf, X64Syscalls.perf_event_open, X64Syscalls.keyctl, X64Syscalls.add_key, X64Syscalls.request_key,
        X64Syscalls.reboot, X64Syscalls.swapon, X64Syscalls.swapoff, X64Syscalls.setns,
        X64Syscalls.open_by_handle_at, X64Syscalls.name_to_handle_at, X64Syscalls.iopl, X64Syscalls.ioperm,
        X64Syscalls.acct, X64Syscalls.settimeofday, X64Syscalls.clock_settime, X64Syscalls.adjtimex, X64Syscalls.clock_adjtime,
        X64Syscalls.syslog, X64Syscalls.quotactl, X64Syscalls.lookup_dcookie, X64Syscalls.userfaultfd,
        X64Syscalls.uselib, X64Syscalls.vhangup, X64Syscalls.nfsservctl,
    ];

    private static readonly Lazy<SeccompProgram> s_default = new(Build);

    /// <summary>The compiled default filter (built once).</summary>
    public static SeccompProgram Default => s_default.Value;

    private static SeccompProgram Build()
    {
        var asm = new BpfAssembler();
        asm.LoadWord(4);
        asm.JumpIfEqual(AuditArchX86_64, null, "kill");
        asm.LoadWord(0);
        asm.JumpIfGreaterOrEqual(X32SyscallBit, "kill");
        foreach (var nr in DeniedSyscalls)
            asm.JumpIfEqual((uint)nr, "eperm");
        asm.JumpIfEqual(X64Syscalls.clone3, "enosys");
        asm.JumpIfEqual(X64Syscalls.clone, "flags");
        asm.JumpIfEqual(X64Syscalls.unshare, "flags");
        asm.Return(RetAllow);
        asm.Label("flags");
        asm.LoadWord(16); // low half of args[0] (little-endian): the clone/unshare flags
        asm.JumpIfAnySet(CloneNewUser, "eperm");
        asm.Return(RetAllow);
        asm.Label("eperm");
        asm.Return(RetErrno | Eperm);
        asm.Label("enosys");
        asm.Return(RetErrno | Enosys);
        asm.Label("kill");
        asm.Return(RetKillProcess);
        return asm.Assemble();
    }
}
