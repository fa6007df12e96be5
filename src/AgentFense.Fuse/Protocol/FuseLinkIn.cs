using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_link_in (include/uapi/linux/fuse.h), 8 bytes; the new name follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLinkIn
{
    public ulong OldNodeId;
}
