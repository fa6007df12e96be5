using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_dirent without its name (include/uapi/linux/fuse.h), 24 bytes; the name follows, padded to 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirent
{
    public ulong Ino;
    public ulong Off;
    public uint NameLen;
    public uint Type;
}
