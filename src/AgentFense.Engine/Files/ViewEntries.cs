using Microsoft.Win32.SafeHandles;

namespace AgentFense.Engine.Files;

/// <summary>Entries of a view described as <see cref="ViewFileInfo"/>, links reported as links (never followed).</summary>
internal static class ViewEntries
{
    /// <summary>The entry <paramref name="name"/> of the directory <paramref name="parent"/>.</summary>
    /// <exception cref="ViewFileException">With <see cref="ViewFileError.NotFound"/> when it does not exist or is hidden.</exception>
    public static ViewFileInfo Of(SafeFileHandle parent, string name, string display)
    {
        FileSystemInfo info = new FileInfo($"{ViewDescriptors.FdPath(parent)}/{name}");
        if (!info.Exists)
        {
            info = new DirectoryInfo(info.FullName);
            if (!info.Exists)
                throw ViewFileException.FromErrno(ViewFileException.ENOENT, display);
        }
        return Describe(info, display);
    }

    /// <summary>The directory <paramref name="directory"/> itself, named <paramref name="display"/>.</summary>
    public static ViewFileInfo OfDirectory(SafeFileHandle directory, string display) =>
        Describe(new DirectoryInfo(ViewDescriptors.FdPath(directory) + "/."), display);

    /// <summary>The entries of <paramref name="directory"/> in ordinal order of name, their paths under <paramref name="display"/>.</summary>
    /// <exception cref="ViewFileException">The policy refuses the listing, or the directory went away.</exception>
    public static IReadOnlyList<ViewFileInfo> List(SafeFileHandle directory, string display)
    {
        var prefix = display.Length == 0 ? "" : display + "/";
        try
        {
            return [.. new DirectoryInfo(ViewDescriptors.FdPath(directory)).EnumerateFileSystemInfos()
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => Describe(e, prefix + e.Name))];
        }
        catch (UnauthorizedAccessException)
        {
            throw ViewFileException.FromErrno(ViewFileException.EACCES, display);
        }
        catch (DirectoryNotFoundException)
        {
            throw ViewFileException.FromErrno(ViewFileException.ENOENT, display);
        }
    }

    private static ViewFileInfo Describe(FileSystemInfo info, string path) => new(
        path,
        info is FileInfo file ? file.Length : 0,
        info is DirectoryInfo && info.LinkTarget is null,
        info.LinkTarget is not null,
        (uint)info.UnixFileMode,
        new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
}
