namespace AgentFense.SandboxFs.Delta;

/// <summary>How a path of the merged view differs from the codebase.</summary>
public enum ChangeKind
{
    /// <summary>The path is new: the codebase has nothing there.</summary>
    Added,
    /// <summary>The path exists in both and differs (content, type, target, mode or owner).</summary>
    Modified,
    /// <summary>The path exists in the codebase only.</summary>
    Deleted,
}

/// <summary>One change of a delta against its codebase.</summary>
/// <param name="Path">The relative path.</param>
/// <param name="Kind">Added, modified or deleted.</param>
/// <param name="EntryKind">The entry's type: in the delta, or for a deletion in the codebase.</param>
/// <param name="Size">Size in bytes of the delta's entry, or for a deletion of the codebase's entry.</param>
public readonly record struct DeltaChange(string Path, ChangeKind Kind, FileKind EntryKind, long Size);
