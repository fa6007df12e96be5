using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_flush_in (include/uapi/linux/fuse.h), 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFlushIn
{
    public ulong Fh;
    public uint Unused;
    public uint Padding;
    public ulong LockOwner;
}
