using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_mkdir_in (include/uapi/linux/fuse.h), 8 bytes; the name follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseMkdirIn
{
    public uint Mode;
    public uint Umask;
}
