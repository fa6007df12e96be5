namespace AgentFense.Fuse;

/// <summary>FATTR_* bits of fuse_setattr_in.valid (include/uapi/linux/fuse.h).</summary>
[Flags]
public enum SetAttrValid : uint
{
    /// <summary>No field.</summary>
    None = 0,
    /// <summary>FATTR_MODE.</summary>
    Mode = 1 << 0,
    /// <summary>FATTR_UID.</summary>
    Uid = 1 << 1,
    /// <summary>FATTR_GID.</summary>
    Gid = 1 << 2,
    /// <summary>FATTR_SIZE.</summary>
    Size = 1 << 3,
    /// <summary>FATTR_ATIME.</summary>
    ATime = 1 << 4,
    /// <summary>FATTR_MTIME.</summary>
    MTime = 1 << 5,
    /// <summary>FATTR_FH.</summary>
    Fh = 1 << 6,
    /// <summary>FATTR_ATIME_NOW: set atime to the current time.</summary>
    ATimeNow = 1 << 7,
    /// <summary>FATTR_MTIME_NOW: set mtime to the current time.</summary>
    MTimeNow = 1 << 8,
    /// <summary>FATTR_LOCKOWNER.</summary>
    LockOwner = 1 << 9,
    /// <summary>FATTR_CTIME.</summary>
    CTime = 1 << 10,
    /// <summary>FATTR_KILL_SUIDGID.</summary>
    KillSuidGid = 1 << 11,
}
