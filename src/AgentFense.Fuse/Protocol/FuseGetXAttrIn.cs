using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_getxattr_in (include/uapi/linux/fuse.h): GETXATTR and LISTXATTR, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXAttrIn
{
    public uint Size;
    public uint Padding;
}
