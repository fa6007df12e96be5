using System.IO.Enumeration;

namespace AgentFense.Server.Codebases;

/// <summary>
/// A codebase's size and file count: <see cref="Count"/> counts every entry that is not a directory (regular
/// files and symbolic links), <see cref="Size"/> the bytes of the regular files. Directories are never
/// followed through links, so a link to a large tree costs nothing.
/// </summary>
internal readonly record struct TreeTotals(long Size, int Count)
{
    public static TreeTotals operator +(TreeTotals a, TreeTotals b) => new(a.Size + b.Size, a.Count + b.Count);

    public static TreeTotals operator -(TreeTotals a, TreeTotals b) => new(a.Size - b.Size, a.Count - b.Count);

    /// <summary>The totals of what is at <paramref name="path"/>: nothing, one file or link, or a whole directory tree.</summary>
    public static TreeTotals Measure(string path) => HostEntry.KindOf(path) switch
    {
        HostEntryKind.None => default,
        HostEntryKind.Link => new(0, 1),
        HostEntryKind.File => new(new System.IO.FileInfo(path).Length, 1),
        _ => MeasureDirectory(path),
    };

    private static TreeTotals MeasureDirectory(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        // A link is one entry whatever it points at, and recursion never goes through one.
        var entries = new FileSystemEnumerable<(bool Link, bool Directory, long Length)>(directory,
            (ref FileSystemEntry e) => IsLink(ref e) ? (true, false, 0) : (false, e.IsDirectory, e.IsDirectory ? 0 : e.Length), options)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => !IsLink(ref e),
        };
        long size = 0;
        var count = 0;
        foreach (var (link, isDirectory, length) in entries)
        {
            if (isDirectory)
                continue;
            size += link ? 0 : length;
            count++;
        }
        return new(size, count);
    }

    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;
}
