namespace AgentFense.Server.Codebases;

internal sealed partial class CodebaseStore
{
    /// <summary>A temporary file that receives an archive's bytes (removed when disposed).</summary>
    public FileStream CreateArchiveSpool() =>
        new(Path.Combine(TempDirectory, $"archive-{Guid.NewGuid():N}.tar"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);

    /// <summary>An empty staging directory on the codebases' filesystem; the caller removes it.</summary>
    public string CreateStagingDirectory() => Directory.CreateDirectory(Path.Combine(TempDirectory, $"archive-{Guid.NewGuid():N}")).FullName;

    /// <summary>
    /// Moves an unpacked archive from <paramref name="staging"/> into codebase <paramref name="id"/> under
    /// <paramref name="prefix"/>: first every entry is checked against the tree (a directory never replaces a
    /// file or link, nor the other way round, and nothing goes under a link), then entries are renamed into
    /// place (a new directory as a whole) and the totals get what changed.
    /// </summary>
    /// <exception cref="ArchiveException">The archive clashes with the tree; nothing was moved.</exception>
    /// <exception cref="DirectoryNotFoundException">The codebase was deleted meanwhile.</exception>
    public void PlaceArchive(string id, string[] prefix, string staging)
    {
        var root = Path.Combine(Root, id);
        _treeGate.Wait();
        try
        {
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException($"codebase '{id}' was deleted during the upload");
            var target = root;
            var missing = -1;
            for (var i = 0; i < prefix.Length; i++)
            {
                target = Path.Combine(target, prefix[i]);
                var kind = HostEntry.KindOf(target);
                if (kind == HostEntryKind.None)
                {
                    missing = i;
                    break;
                }
                if (kind != HostEntryKind.Directory)
                    throw new ArchiveException(ArchiveProblem.InvalidPath, $"'{string.Join('/', prefix[..(i + 1)])}' is a file or link in the codebase, not a directory");
            }
            var destination = Path.Combine([root, .. prefix]);
            if (missing < 0)
                CheckMerge(staging, destination, root);
            var change = default(TreeTotals);
            if (missing >= 0)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                change = TreeTotals.Measure(staging);
                Directory.Move(staging, destination);
            }
            else
                change = Merge(staging, destination);
            AddTotals(id, change);
        }
        finally
        {
            _treeGate.Release();
        }
    }

    /// <summary>Refuses the archive when an entry of <paramref name="staged"/> cannot take the place of what <paramref name="target"/> holds.</summary>
    private static void CheckMerge(string staged, string target, string root)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(staged))
        {
            var into = Path.Combine(target, Path.GetFileName(entry));
            var kind = HostEntry.KindOf(entry);
            var existing = HostEntry.KindOf(into);
            if (kind == HostEntryKind.Directory && existing == HostEntryKind.Directory)
                CheckMerge(entry, into, root);
            else if (kind == HostEntryKind.Directory && existing != HostEntryKind.None)
                throw new ArchiveException(ArchiveProblem.InvalidPath, $"'{Relative(root, into)}' is a directory in the archive but a file or link in the codebase");
            else if (kind != HostEntryKind.Directory && existing == HostEntryKind.Directory)
                throw new ArchiveException(ArchiveProblem.InvalidPath, $"'{Relative(root, into)}' is a file or link in the archive but a directory in the codebase");
        }
    }

    /// <summary>Renames the entries of <paramref name="staged"/> into <paramref name="target"/> (checked by <see cref="CheckMerge"/>); returns the change of totals.</summary>
    private static TreeTotals Merge(string staged, string target)
    {
        var change = default(TreeTotals);
        foreach (var entry in Directory.EnumerateFileSystemEntries(staged).ToList())
        {
            var into = Path.Combine(target, Path.GetFileName(entry));
            var existing = HostEntry.KindOf(into);
            if (HostEntry.KindOf(entry) == HostEntryKind.Directory)
            {
                if (existing == HostEntryKind.Directory)
                    change += Merge(entry, into);
                else
                {
                    change += TreeTotals.Measure(entry);
                    Directory.Move(entry, into);
                }
                continue;
            }
            change += TreeTotals.Measure(entry) - TreeTotals.Measure(into);
            HostEntry.Rename(entry, into);
        }
        return change;
    }
}
