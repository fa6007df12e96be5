namespace AgentFense.Fuse;

/// <summary>renameat2(2) flags carried by FUSE_RENAME2 (include/uapi/linux/fs.h).</summary>
[Flags]
public enum RenameFlags : uint
{
    /// <summary>Plain rename: replace the target if it exists.</summary>
    None = 0,
    /// <summary>RENAME_NOREPLACE: fail with EEXIST if the target exists.</summary>
    NoReplace = 1 << 0,
    /// <summary>RENAME_EXCHANGE: atomically swap source and target.</summary>
    Exchange = 1 << 1,
    /// <summary>RENAME_WHITEOUT: leave a whiteout at the source (overlay filesystems).</summary>
    Whiteout = 1 << 2,
}
