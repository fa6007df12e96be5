namespace AgentFense;

/// <summary>A file or directory as the sandbox's agent sees it.</summary>
/// <param name="Path">Relative to the codebase root.</param>
/// <param name="Size">Bytes (0 for a directory).</param>
/// <param name="IsDirectory">A directory.</param>
/// <param name="IsSymlink">A symbolic link (never followed by the file operations).</param>
/// <param name="Mode">Permission bits as the agent sees them.</param>
/// <param name="ModifiedAt">Last modification.</param>
public sealed record FileEntry(string Path, long Size, bool IsDirectory, bool IsSymlink, uint Mode, DateTimeOffset ModifiedAt)
{
    /// <summary>The last component of <see cref="Path"/>.</summary>
    public string Name => Path.Contains('/', StringComparison.Ordinal) ? Path[(Path.LastIndexOf('/') + 1)..] : Path;
}
