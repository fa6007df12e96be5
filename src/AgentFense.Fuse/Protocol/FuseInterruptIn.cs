using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_interrupt_in (include/uapi/linux/fuse.h, 7.7), 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInterruptIn
{
    public ulong Unique;
}
