using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_in_header (include/uapi/linux/fuse.h; total_extlen since 7.38): precedes every request, 40 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInHeader
{
    public uint Len;
    public FuseOpcode Opcode;
    public ulong Unique;
    public ulong NodeId;
    public uint Uid;
    public uint Gid;
    public uint Pid;
    /// <summary>Length of request extensions (security context, supplementary groups) in 8-byte units.</summary>
    public ushort TotalExtLen;
    public ushort Padding;
}
