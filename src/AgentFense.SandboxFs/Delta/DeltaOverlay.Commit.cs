using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    private const string CommitTempPrefix = Whiteout.MetaPrefix + "commit.";

    /// <summary>
    /// Writes the delta's changes (<see cref="ListChanges"/>) into the codebase, then empties the delta.
    /// Deletions go first (deepest first), then additions and modifications (parents first). Each file is
    /// written to a temporary <c>.wh..wh..commit.*</c> name in its codebase directory (hidden from every
    /// merged view), fsynced and renamed into place, so readers see the old or the new file, never a part.
    /// Symlinks are written as links, never followed; a codebase directory replaced by a symlink in the
    /// delta is removed, not written through. Last writer wins: a change whose codebase entry changed since
    /// the sandbox first shadowed it (see <see cref="Baseline"/>) is applied and reported as a conflict.
    /// Hard links inside the delta are committed as separate files.
    /// The caller quiesces the sandbox first: writes through held descriptors are not seen by the commit
    /// and are lost when the delta is emptied. On an error the delta is kept (what was applied stays applied).
    /// </summary>
    public Errno Commit(out CommitResult result)
    {
        var applied = new List<DeltaChange>();
        var conflicts = new List<DeltaChange>();
        result = new CommitResult(applied, conflicts);
        using (Mutate())
        {
            var changes = new List<DeltaChange>();
            var rc = ListChanges(changes);
            if (rc != Errno.Success)
                return rc;
            foreach (var change in changes)
            {
                if (IsConflict(change))
                    conflicts.Add(change);
            }
            foreach (var change in changes.Where(c => c.Kind == ChangeKind.Deleted).Reverse())
            {
                rc = LowerChainIsReal(OverlayPath.Parent(change.Path));
                if (rc == Errno.Success)
                    rc = HostFs.RemoveTree(Lower(change.Path));
                if (rc != Errno.Success)
                    return rc;
                applied.Add(change);
            }
            foreach (var change in changes.Where(c => c.Kind != ChangeKind.Deleted))
            {
                rc = ApplyLocked(change.Path);
                if (rc != Errno.Success)
                    return rc;
                applied.Add(change);
            }
            return DiscardLocked();
        }
    }

    /// <summary>
    /// Empties the delta: the merged view becomes the codebase again. The caller quiesces the sandbox first
    /// (descriptors the FUSE layer holds on delta files keep pointing at unlinked files).
    /// </summary>
    public Errno Discard()
    {
        using (Mutate())
            return DiscardLocked();
    }

    private Errno DiscardLocked()
    {
        var names = new List<string>();
        var rc = HostFs.ListDirectory(_upper, names);
        if (rc != Errno.Success)
            return rc;
        foreach (var name in names)
        {
            if (name == Whiteout.WorkDirectory)
                continue;
            rc = HostFs.RemoveTree(_upper + "/" + name);
            if (rc != Errno.Success)
                return rc;
        }
        Quota.Reset(0);
        return Errno.Success;
    }

    private bool IsConflict(in DeltaChange change)
    {
        if (change.Kind == ChangeKind.Added || change.EntryKind == FileKind.Directory)
            return false;
        var recordedOn = change.Kind == ChangeKind.Deleted ? WhiteoutHost(change.Path) : Upper(change.Path);
        if (Baseline.Read(recordedOn) is not { } baseline)
            return false; // no record (symlink, entry under an opaque directory): cannot tell
        return HostFs.Lstat(Lower(change.Path), out var now) != Errno.Success || !baseline.Matches(now);
    }

    /// <summary>Writes one delta entry into the codebase (atomically for non-directories).</summary>
    private Errno ApplyLocked(string path)
    {
        var rc = LowerChainIsReal(OverlayPath.Parent(path));
        if (rc != Errno.Success)
            return rc;
        var upper = Upper(path);
        var lower = Lower(path);
        rc = HostFs.Lstat(upper, out var st);
        if (rc != Errno.Success)
            return rc;
        var lowerExists = HostFs.Lstat(lower, out var old) == Errno.Success;
        if (HostFs.IsDir(st))
        {
            if (lowerExists && !HostFs.IsDir(old))
            {
                rc = HostFs.Unlink(lower);
                lowerExists = false;
            }
            if (rc == Errno.Success && !lowerExists)
                rc = HostFs.Mkdir(lower, 0x1C0);
            return rc == Errno.Success ? CopyMetadata(upper, lower, st) : rc;
        }

        var temp = Lower(OverlayPath.Combine(OverlayPath.Parent(path), CommitTempPrefix + Guid.NewGuid().ToString("N")));
        rc = StageForCommit(upper, temp, st);
        if (rc == Errno.Success && lowerExists && HostFs.IsDir(old))
            rc = HostFs.RemoveTree(lower);
        if (rc == Errno.Success)
            rc = HostFs.Rename(temp, lower);
        if (rc != Errno.Success)
            HostFs.RemoveTree(temp);
        return rc;
    }

    private static Errno StageForCommit(string upper, string temp, in statx_t st)
    {
        Errno rc;
        switch (HostFs.Kind(st))
        {
            case FileKind.Regular:
                rc = CopyContent(upper, temp, withContent: true);
                if (rc == Errno.Success && HostFs.Open(temp, O_RDONLY, 0, out var handle) == Errno.Success)
                {
                    using (handle)
                        rc = HostFs.Fsync(handle);
                }
                break;
            case FileKind.Symlink:
                rc = HostFs.ReadLink(upper, out var target);
                if (rc == Errno.Success)
                    rc = HostFs.Symlink(target, temp);
                break;
            default:
                rc = HostFs.Mknod(temp, st.stx_mode, EntryAttributes.MakeDev(st.stx_rdev_major, st.stx_rdev_minor));
                break;
        }
        return rc == Errno.Success ? CopyMetadata(upper, temp, st) : rc;
    }

    /// <summary>ELOOP unless every component of <paramref name="dir"/> in the codebase is a real directory.</summary>
    private Errno LowerChainIsReal(string dir)
    {
        var host = _lower;
        if (dir.Length == 0)
            return Errno.Success;
        foreach (var part in dir.Split('/'))
        {
            host += "/" + part;
            var rc = HostFs.Lstat(host, out var st);
            if (rc != Errno.Success)
                return rc;
            if (!HostFs.IsDir(st))
                return HostFs.Kind(st) == FileKind.Symlink ? Errno.ELOOP : Errno.ENOTDIR;
        }
        return Errno.Success;
    }
}
