using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_fallocate_in (include/uapi/linux/fuse.h, 7.19), 32 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFallocateIn
{
    public ulong Fh;
    public ulong Offset;
    public ulong Length;
    public int Mode;
    public uint Padding;
}
