using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>
/// struct fuse_attr (include/uapi/linux/fuse.h, flags since 7.32): the attributes of one inode, 88 bytes on the wire.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FuseAttr
{
    /// <summary>Inode number shown to stat(2) (st_ino).</summary>
    public ulong Ino;
    /// <summary>Size in bytes.</summary>
    public ulong Size;
    /// <summary>Allocated 512-byte blocks.</summary>
    public ulong Blocks;
    /// <summary>Access time, seconds since the epoch.</summary>
    public ulong ATime;
    /// <summary>Modification time, seconds since the epoch.</summary>
    public ulong MTime;
    /// <summary>Status change time, seconds since the epoch.</summary>
    public ulong CTime;
    /// <summary>Nanoseconds of <see cref="ATime"/>.</summary>
    public uint ATimeNsec;
    /// <summary>Nanoseconds of <see cref="MTime"/>.</summary>
    public uint MTimeNsec;
    /// <summary>Nanoseconds of <see cref="CTime"/>.</summary>
    public uint CTimeNsec;
    /// <summary>File type and permission bits (st_mode, S_IFMT | 07777).</summary>
    public uint Mode;
    /// <summary>Hard link count.</summary>
    public uint NLink;
    /// <summary>Owner uid.</summary>
    public uint Uid;
    /// <summary>Owner gid.</summary>
    public uint Gid;
    /// <summary>Device number for block/char devices.</summary>
    public uint RDev;
    /// <summary>Preferred I/O block size; 0 lets the kernel pick.</summary>
    public uint BlkSize;
    /// <summary>FUSE_ATTR_* flags (submount, DAX); normally 0.</summary>
    public uint Flags;
}
