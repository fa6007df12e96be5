using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_open_out (include/uapi/linux/fuse.h; backing_id since 7.40), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenOut
{
    public ulong Fh;
    public FopenFlags OpenFlags;
    public int BackingId;
}
