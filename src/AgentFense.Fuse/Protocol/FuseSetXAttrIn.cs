using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_setxattr_in (include/uapi/linux/fuse.h): 16 bytes with FUSE_SETXATTR_EXT (7.33), else the first 8.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSetXAttrIn
{
    public uint Size;
    public int Flags;
    public uint SetXAttrFlags;
    public uint Padding;
}
