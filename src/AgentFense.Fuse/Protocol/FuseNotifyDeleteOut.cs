using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_notify_delete_out (include/uapi/linux/fuse.h, 7.18), 24 bytes; the name and a NUL follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyDeleteOut
{
    public ulong Parent;
    public ulong Child;
    public uint NameLen;
    public uint Padding;
}
