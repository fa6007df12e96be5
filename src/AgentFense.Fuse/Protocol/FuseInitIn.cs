using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_init_in (include/uapi/linux/fuse.h; flags2 and unused since 7.36, 64 bytes; 16 bytes before).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInitIn
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public uint Flags2;
    private unsafe fixed uint _unused[11];
}
