using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_write_in (include/uapi/linux/fuse.h), 40 bytes; the data follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseWriteIn
{
    public ulong Fh;
    public ulong Offset;
    public uint Size;
    public uint WriteFlags;
    public ulong LockOwner;
    public int Flags;
    public uint Padding;
}
