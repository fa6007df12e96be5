using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_access_in (include/uapi/linux/fuse.h), 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAccessIn
{
    public uint Mask;
    public uint Padding;
}
