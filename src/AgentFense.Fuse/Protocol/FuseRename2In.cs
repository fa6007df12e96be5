using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_rename2_in (include/uapi/linux/fuse.h, 7.23), 16 bytes; old and new names follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRename2In
{
    public ulong NewDir;
    public RenameFlags Flags;
    public uint Padding;
}
