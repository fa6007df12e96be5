using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_batch_forget_in (include/uapi/linux/fuse.h, 7.16), 8 bytes; Count fuse_forget_one follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBatchForgetIn
{
    public uint Count;
    public uint Dummy;
}
