using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>
/// struct fuse_entry_out (include/uapi/linux/fuse.h): the reply to LOOKUP, MKNOD, MKDIR, SYMLINK, LINK, CREATE and each
/// READDIRPLUS entry, 128 bytes on the wire. A successful reply with <see cref="NodeId"/> 0 is a negative entry that
/// the kernel caches for <see cref="EntryValid"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FuseEntryOut
{
    /// <summary>The filesystem's node id; each reply with a non-zero id adds one to the node's lookup count.</summary>
    public ulong NodeId;
    /// <summary>Generation: (NodeId, Generation) must be unique over the filesystem's lifetime.</summary>
    public ulong Generation;
    /// <summary>Seconds the kernel may cache the name (dentry).</summary>
    public ulong EntryValid;
    /// <summary>Seconds the kernel may cache the attributes.</summary>
    public ulong AttrValid;
    /// <summary>Nanoseconds part of <see cref="EntryValid"/>.</summary>
    public uint EntryValidNsec;
    /// <summary>Nanoseconds part of <see cref="AttrValid"/>.</summary>
    public uint AttrValidNsec;
    /// <summary>The attributes.</summary>
    public FuseAttr Attr;

    /// <summary>Sets <see cref="EntryValid"/> and <see cref="EntryValidNsec"/> from a timeout.</summary>
    public void SetEntryTimeout(TimeSpan timeout) => (EntryValid, EntryValidNsec) = FuseTime.Split(timeout);

    /// <summary>Sets <see cref="AttrValid"/> and <see cref="AttrValidNsec"/> from a timeout.</summary>
    public void SetAttrTimeout(TimeSpan timeout) => (AttrValid, AttrValidNsec) = FuseTime.Split(timeout);
}
