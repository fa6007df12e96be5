using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_open_in (include/uapi/linux/fuse.h): OPEN and OPENDIR, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenIn
{
    public int Flags;
    public uint OpenFlags;
}
