using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_rename_in (include/uapi/linux/fuse.h), 8 bytes; old and new names follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRenameIn
{
    public ulong NewDir;
}
