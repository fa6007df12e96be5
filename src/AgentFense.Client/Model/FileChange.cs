namespace AgentFense;

/// <summary>One entry of a sandbox's delta.</summary>
/// <param name="Path">Relative to the codebase root.</param>
/// <param name="Kind">Added, modified or deleted.</param>
/// <param name="Size">Of the delta's entry, or for a deletion of the codebase's.</param>
/// <param name="IsDirectory">A directory.</param>
public sealed record FileChange(string Path, ChangeKind Kind, long Size, bool IsDirectory);
