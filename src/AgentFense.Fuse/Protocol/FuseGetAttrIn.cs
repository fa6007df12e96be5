using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_getattr_in (include/uapi/linux/fuse.h, 7.9), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetAttrIn
{
    public uint GetAttrFlags;
    public uint Dummy;
    public ulong Fh;
}
