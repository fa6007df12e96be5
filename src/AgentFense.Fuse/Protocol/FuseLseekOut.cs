using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_lseek_out (include/uapi/linux/fuse.h, 7.24), 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLseekOut
{
    public ulong Offset;
}
