namespace AgentFense.Engine.Files;

/// <summary>One entry of a running sandbox's view, as its policy shows it.</summary>
/// <param name="Path">Its path relative to the view's root, components joined by '/' ("" for the root).</param>
/// <param name="Size">Its size in bytes (0 for a directory).</param>
/// <param name="IsDirectory">Whether it is a directory (a link to one is not).</param>
/// <param name="IsSymlink">Whether it is a symbolic link (never followed).</param>
/// <param name="Mode">Its permission bits.</param>
/// <param name="ModifiedAt">When its content last changed.</param>
public sealed record ViewFileInfo(string Path, long Size, bool IsDirectory, bool IsSymlink, uint Mode, DateTimeOffset ModifiedAt);
