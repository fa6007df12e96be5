using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_backing_map (include/uapi/linux/fuse.h, 7.40): the FUSE_DEV_IOC_BACKING_OPEN argument, 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBackingMap
{
    public int Fd;
    public uint Flags;
    public ulong Padding;
}
