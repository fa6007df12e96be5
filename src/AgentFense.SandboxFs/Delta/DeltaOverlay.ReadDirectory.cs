namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Lists a directory of the merged view: upper entries, then lower entries not shadowed, not whited out
    /// and not under an opaque upper directory. Reserved <c>.wh.</c> names never appear; each name appears once.
    /// The order is unspecified. <c>.</c> and <c>..</c> are the FUSE layer's to add.
    /// </summary>
    public Errno ReadDirectory(string path, List<DirectoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        rc = Resolve(path, out var r);
        if (rc != Errno.Success)
            return rc;
        if (!r.IsDirectory)
            return Errno.ENOTDIR;

        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var whitedOut = new HashSet<string>(StringComparer.Ordinal);
        if (r.HasUpper)
        {
            var dir = Upper(path);
            rc = HostFs.ListDirectory(dir, names);
            if (rc != Errno.Success)
                return rc;
            foreach (var name in names)
            {
                if (Whiteout.TryGetHiddenName(name, out var hidden))
                {
                    whitedOut.Add(hidden);
                    continue;
                }
                if (Whiteout.IsReserved(name) || !seen.Add(name))
                    continue;
                if (HostFs.Lstat(dir + "/" + name, out var st) == Errno.Success)
                    entries.Add(new DirectoryEntry(name, EntryAttributes.From(st, Layer.Upper)));
            }
        }
        if (r.LowerDirectoryShows)
        {
            var dir = Lower(path);
            names.Clear();
            rc = HostFs.ListDirectory(dir, names);
            if (rc != Errno.Success)
                return rc;
            foreach (var name in names)
            {
                if (Whiteout.IsReserved(name) || seen.Contains(name) || whitedOut.Contains(name))
                    continue;
                if (HostFs.Lstat(dir + "/" + name, out var st) == Errno.Success)
                    entries.Add(new DirectoryEntry(name, EntryAttributes.From(st, Layer.Lower)));
            }
        }
        return Errno.Success;
    }

    /// <summary>True when the merged directory has no entries (for rmdir and rename-over-directory).</summary>
    private bool IsMergedEmpty(string path)
    {
        var entries = new List<DirectoryEntry>();
        return ReadDirectory(path, entries) == Errno.Success && entries.Count == 0;
    }
}
