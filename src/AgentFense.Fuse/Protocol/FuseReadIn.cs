using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_read_in (include/uapi/linux/fuse.h): READ, READDIR, READDIRPLUS, 40 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReadIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public uint ReadFlags;
    public ulong LockOwner;
    public int Flags;
    public uint Padding;
}
