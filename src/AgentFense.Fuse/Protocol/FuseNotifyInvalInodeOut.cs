using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_notify_inval_inode_out (include/uapi/linux/fuse.h, 7.12), 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalInodeOut
{
    public ulong Ino;
    public long Off;
    public long Len;
}
