namespace AgentFense.Internal;

/// <summary>A walk of a local directory that <c>include</c> prunes (a directory it refuses is not entered).</summary>
internal static class LocalTree
{
    /// <summary>A regular file of the walk.</summary>
    public readonly record struct LocalFile(string RelativePath, string FullPath);

    /// <summary>The regular files <paramref name="include"/> accepts, beneath directories it accepts; symbolic links are not followed or sent.</summary>
    public static IEnumerable<LocalFile> Files(string root, Func<string, bool, bool> include)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            var relative = pending.Pop();
            var directory = new DirectoryInfo(relative.Length == 0 ? root : Path.Combine(root, relative));
            foreach (var entry in directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (entry.LinkTarget is not null)
                    continue;
                var isDirectory = entry is DirectoryInfo;
                if (!include(path, isDirectory))
                    continue;
                if (isDirectory)
                    pending.Push(path);
                else if ((entry.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0)
                    yield return new LocalFile(path, entry.FullName);
            }
        }
    }

    /// <summary>Every entry <paramref name="include"/> refuses (not what lies beneath a refused directory), with whether it is a directory.</summary>
    public static IEnumerable<(string Path, bool IsDirectory)> Excluded(string root, Func<string, bool, bool> include)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            var relative = pending.Pop();
            var directory = new DirectoryInfo(relative.Length == 0 ? root : Path.Combine(root, relative));
            foreach (var entry in directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                var isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
                if (!include(path, isDirectory))
                    yield return (path, isDirectory);
                else if (isDirectory)
                    pending.Push(path);
            }
        }
    }
}
