namespace AgentFense.SandboxFs.Delta;

/// <summary>renameat2(2) flags the merged view supports.</summary>
[Flags]
public enum RenameFlags : uint
{
    /// <summary>Replace an existing target (POSIX rename).</summary>
    None = 0,
    /// <summary><c>RENAME_NOREPLACE</c>: EEXIST if the target exists.</summary>
    NoReplace = 1,
    /// <summary><c>RENAME_EXCHANGE</c>: atomically swap source and target, which must both exist.</summary>
    Exchange = 2,
}
