using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_out_header (include/uapi/linux/fuse.h): precedes every reply and notification, 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOutHeader
{
    public uint Len;
    /// <summary>Negative errno for a reply; the fuse_notify_code for a notification (then Unique is 0).</summary>
    public int Error;
    public ulong Unique;
}
