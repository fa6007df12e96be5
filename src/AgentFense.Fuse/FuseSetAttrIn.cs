using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>
/// struct fuse_setattr_in (include/uapi/linux/fuse.h, ctime since 7.23): a SETATTR request, 88 bytes on the wire.
/// Only the fields named in <see cref="Valid"/> are meaningful.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FuseSetAttrIn
{
    /// <summary>Which fields to change.</summary>
    public SetAttrValid Valid;
    private readonly uint _padding;
    /// <summary>File handle, when <see cref="SetAttrValid.Fh"/> is set (ftruncate, futimens).</summary>
    public ulong Fh;
    /// <summary>New size (truncate).</summary>
    public ulong Size;
    /// <summary>Lock owner, when <see cref="SetAttrValid.LockOwner"/> is set.</summary>
    public ulong LockOwner;
    /// <summary>New access time, seconds.</summary>
    public ulong ATime;
    /// <summary>New modification time, seconds.</summary>
    public ulong MTime;
    /// <summary>New change time, seconds.</summary>
    public ulong CTime;
    /// <summary>Nanoseconds of <see cref="ATime"/>.</summary>
    public uint ATimeNsec;
    /// <summary>Nanoseconds of <see cref="MTime"/>.</summary>
    public uint MTimeNsec;
    /// <summary>Nanoseconds of <see cref="CTime"/>.</summary>
    public uint CTimeNsec;
    /// <summary>New mode (permission bits; the type bits are unchanged).</summary>
    public uint Mode;
    private readonly uint _unused4;
    /// <summary>New owner uid.</summary>
    public uint Uid;
    /// <summary>New owner gid.</summary>
    public uint Gid;
    private readonly uint _unused5;
}
