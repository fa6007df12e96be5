using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_lseek_in (include/uapi/linux/fuse.h, 7.24), 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLseekIn
{
    public ulong Fh;
    public ulong Offset;
    public int Whence;
    public uint Padding;
}
