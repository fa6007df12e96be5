using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_getxattr_out (include/uapi/linux/fuse.h): the size answer when the request size was 0, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXAttrOut
{
    public uint Size;
    public uint Padding;
}
