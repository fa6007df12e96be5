using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_init_out (include/uapi/linux/fuse.h; max_stack_depth since 7.40), 64 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInitOut
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGran;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    public uint MaxStackDepth;
    private unsafe fixed uint _unused[6];
}
