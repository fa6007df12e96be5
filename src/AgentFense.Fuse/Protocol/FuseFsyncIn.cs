using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_fsync_in (include/uapi/linux/fuse.h): FSYNC and FSYNCDIR, 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFsyncIn
{
    public ulong Fh;
    public uint FsyncFlags;
    public uint Padding;
}
