using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_mknod_in (include/uapi/linux/fuse.h; umask since 7.12), 16 bytes; the name follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseMknodIn
{
    public uint Mode;
    public uint RDev;
    public uint Umask;
    public uint Padding;
}
