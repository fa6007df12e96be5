using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_create_in (include/uapi/linux/fuse.h; open_flags since 7.33), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCreateIn
{
    public int Flags;
    public uint Mode;
    public uint Umask;
    public uint OpenFlags;
}
