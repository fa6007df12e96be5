using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>struct fuse_forget_one (include/uapi/linux/fuse.h, 7.16): one entry of BATCH_FORGET, 16 bytes on the wire.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct FuseForgetOne
{
    /// <summary>The node whose lookup count drops.</summary>
    public readonly ulong NodeId;
    /// <summary>How many lookups to forget.</summary>
    public readonly ulong NLookup;

    /// <summary>Creates an entry.</summary>
    public FuseForgetOne(ulong nodeId, ulong nlookup) => (NodeId, NLookup) = (nodeId, nlookup);
}
