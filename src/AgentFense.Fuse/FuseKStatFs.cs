using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>struct fuse_kstatfs (include/uapi/linux/fuse.h, frsize since 7.4): the reply to STATFS, 80 bytes on the wire.</summary>
[StructLayout(LayoutKind.Sequential, Size = 80)]
public struct FuseKStatFs
{
    /// <summary>Total blocks of <see cref="FrSize"/> bytes.</summary>
    public ulong Blocks;
    /// <summary>Free blocks.</summary>
    public ulong BFree;
    /// <summary>Free blocks available to unprivileged users.</summary>
    public ulong BAvail;
    /// <summary>Total inodes.</summary>
    public ulong Files;
    /// <summary>Free inodes.</summary>
    public ulong FFree;
    /// <summary>Block size.</summary>
    public uint BSize;
    /// <summary>Maximum name length.</summary>
    public uint NameLen;
    /// <summary>Fragment size.</summary>
    public uint FrSize;
}
