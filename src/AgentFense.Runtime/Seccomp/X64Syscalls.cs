namespace AgentFense.Runtime.Seccomp;

/// <summary>x86_64 syscall numbers the filter names (<c>arch/x86/entry/syscalls/syscall_64.tbl</c>).</summary>
public static class X64Syscalls
{
#pragma warning disable CS1591 // The names are the kernel's; each is documented by its man page.
    public const int ptrace = 101;
    public const int syslog = 103;
    public const int uselib = 134;
    public const int vhangup = 153;
    public const int pivot_root = 155;
    public const int adjtimex = 159;
    public const int acct = 163;
    public const int settimeofday = 164;
    public const int mount = 165;
    public const int umount2 = 166;
    public const int swapon = 167;
    public const int swapoff = 168;
    public const int reboot = 169;
    public const int iopl = 172;
    public const int ioperm = 173;
    public const int create_module = 174;
    public const int init_module = 175;
    public const int delete_module = 176;
    public const int quotactl = 179;
    public const int nfsservctl = 180;
    public const int lookup_dcookie = 212;
    public const int clock_settime = 227;
    public const int add_key = 248;
    public const int request_key = 249;
    public const int keyctl = 250;
    public const int kexec_load = 246;
    public const int unshare = 272;
    public const int perf_event_open = 298;
    public const int name_to_handle_at = 303;
    public const int open_by_handle_at = 304;
    public const int clock_adjtime = 305;
    public const int setns = 308;
    public const int finit_module = 313;
    public const int kexec_file_load = 320;
    public const int bpf = 321;
    public const int userfaultfd = 323;
    public const int open_tree = 428;
    public const int move_mount = 429;
    public const int fsopen = 430;
    public const int fsconfig = 431;
    public const int fsmount = 432;
    public const int fspick = 433;
    public const int clone3 = 435;
    public const int mount_setattr = 442;
    public const int clone = 56;
#pragma warning restore CS1591
}
