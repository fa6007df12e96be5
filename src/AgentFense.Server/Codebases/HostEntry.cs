namespace AgentFense.Server.Codebases;

/// <summary>What a host path is, without following a symbolic link at its end.</summary>
internal enum HostEntryKind
{
    /// <summary>Nothing there.</summary>
    None,
    /// <summary>A regular file (or any other non-directory that is not a link).</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link, dangling or not.</summary>
    Link,
}

/// <summary>Looks at host paths the way the codebase trees need: a link is a link, never what it points at.</summary>
internal static class HostEntry
{
    /// <summary>The kind of <paramref name="path"/> (lstat: a symbolic link is <see cref="HostEntryKind.Link"/>).</summary>
    public static HostEntryKind KindOf(string path)
    {
        var attributes = new System.IO.FileInfo(path).Attributes;
        if ((int)attributes == -1)
            return HostEntryKind.None;
        if ((attributes & FileAttributes.ReparsePoint) != 0)
            return HostEntryKind.Link;
        return (attributes & FileAttributes.Directory) != 0 ? HostEntryKind.Directory : HostEntryKind.File;
    }

    /// <summary>rename(2) of a file or link over <paramref name="to"/> (replaced when it is a file or link): the entry itself moves, whatever a link points at.</summary>
    /// <exception cref="IOException">The rename failed.</exception>
    public static void Rename(string from, string to)
    {
        const int AtFdCwd = -100;
        if (Interop.Libc.renameat2(AtFdCwd, from, AtFdCwd, to, 0) != 0)
            throw new IOException($"renameat2({from}, {to}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Removes the file or link at <paramref name="path"/> (never what a link points at).</summary>
    public static void DeleteNonDirectory(string path) => File.Delete(path);
}
