using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_notify_inval_entry_out (include/uapi/linux/fuse.h; flags since 7.38), 16 bytes; the name and a NUL follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalEntryOut
{
    public ulong Parent;
    public uint NameLen;
    public uint Flags;
}
