using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_forget_in (include/uapi/linux/fuse.h), 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetIn
{
    public ulong NLookup;
}
