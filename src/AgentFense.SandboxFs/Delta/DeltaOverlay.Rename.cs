using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> in the merged view with renameat2 semantics.
    /// A lower source is copied up first — a directory with its whole tree, which then becomes opaque — and a
    /// whiteout hides the lower entry at the source. Replacing follows POSIX: a directory may replace only an
    /// empty directory (ENOTEMPTY, ENOTDIR), a non-directory only a non-directory (EISDIR); moving a directory
    /// under itself is EINVAL. Not atomic against a crash when a lower entry is involved: the copy-up and the
    /// whiteout are separate steps (each one is atomic).
    /// </summary>
    public Errno Rename(string from, string to, RenameFlags flags = RenameFlags.None)
    {
        var rc = CheckPath(from);
        if (rc == Errno.Success)
            rc = CheckNewPath(to);
        if (rc == Errno.EEXIST || (rc == Errno.Success && from.Length == 0))
            return Errno.EBUSY;
        if (rc != Errno.Success)
            return rc;
        if ((flags & ~(RenameFlags.NoReplace | RenameFlags.Exchange)) != 0
            || flags == (RenameFlags.NoReplace | RenameFlags.Exchange))
            return Errno.EINVAL;
        rc = PreCopyUp(from, to, flags);
        if (rc != Errno.Success)
            return rc;
        using (Mutate())
        {
            rc = Resolve(from, out var source);
            if (rc != Errno.Success)
                return rc;
            var targetRc = Resolve(to, out var target);
            if (targetRc != Errno.Success && !(targetRc == Errno.ENOENT && target.ParentExists))
                return targetRc;
            var targetExists = targetRc == Errno.Success;
            if (from == to)
                return flags.HasFlag(RenameFlags.NoReplace) ? Errno.EEXIST : Errno.Success;
            if (source.IsDirectory && OverlayPath.IsSameOrUnder(to, from))
                return Errno.EINVAL;
            if (flags.HasFlag(RenameFlags.Exchange))
            {
                if (!targetExists)
                    return Errno.ENOENT;
                if (target.IsDirectory && OverlayPath.IsSameOrUnder(from, to))
                    return Errno.EINVAL;
                return ExchangeLocked(from, to, source, target);
            }
            if (targetExists)
            {
                if (flags.HasFlag(RenameFlags.NoReplace))
                    return Errno.EEXIST;
                if (source.IsDirectory && !target.IsDirectory)
                    return Errno.ENOTDIR;
                if (!source.IsDirectory && target.IsDirectory)
                    return Errno.EISDIR;
                if (target.IsDirectory && !IsMergedEmpty(to))
                    return Errno.ENOTEMPTY;
            }
            return MoveLocked(from, to, source, target, targetExists);
        }
    }

    /// <summary>
    /// Copies a lower-only source file up before the mutation lock is taken, so its content is not copied
    /// while every other namespace change waits (the copy-up alone changes nothing visible). Only when the
    /// rename looks like it will go ahead; everything is checked again under the lock.
    /// </summary>
    private Errno PreCopyUp(string from, string to, RenameFlags flags)
    {
        if (Resolve(from, out var source) != Errno.Success || source.HasUpper || source.IsDirectory)
            return Errno.Success;
        var targetRc = Resolve(to, out var target);
        if (targetRc != Errno.Success && !(targetRc == Errno.ENOENT && target.ParentExists))
            return Errno.Success;
        if (targetRc == Errno.Success && (flags.HasFlag(RenameFlags.NoReplace) || target.IsDirectory))
            return Errno.Success;
        if (targetRc != Errno.Success && flags.HasFlag(RenameFlags.Exchange))
            return Errno.Success;
        var rc = CopyUp(from);
        return rc == Errno.ENOENT ? Errno.Success : rc;
    }

    private Errno MoveLocked(string from, string to, in Resolved source, in Resolved target, bool targetExists)
    {
        var isDirectory = source.IsDirectory;
        var rc = MaterializeLocked(from, source);
        if (rc != Errno.Success)
            return rc;
        // Baselines describe the lower entry at a path: the source's moves to its whiteout, the target's to the moved entry.
        Baseline? sourceBaseline = !isDirectory && source.HasLower
            ? Baseline.Read(Upper(from)) ?? Baseline.Of(source.Lower) : null;
        Baseline? targetBaseline = isDirectory ? null : TargetBaseline(to, target);
        rc = EnsureUpperDirLocked(OverlayPath.Parent(to));
        if (rc != Errno.Success)
            return rc;

        if (targetExists && target.IsDirectory && target.HasUpper)
        {
            // An empty merged directory holds only whiteouts: rename(2) would refuse to replace it.
            rc = DeleteUpperLocked(to, target.Upper);
            if (rc != Errno.Success)
                return rc;
        }
        long freed = targetExists && target.HasUpper && !target.IsDirectory && target.Upper.stx_nlink <= 1
            ? Charge(target.Upper) : 0;
        if (source.HasLower)
        {
            rc = WriteWhiteoutLocked(from, sourceBaseline);
            if (rc != Errno.Success)
                return rc;
        }
        rc = HostFs.Rename(Upper(from), Upper(to));
        if (rc != Errno.Success)
        {
            if (source.HasLower)
                HostFs.Unlink(WhiteoutHost(from));
            return rc;
        }
        Quota.Release(freed);
        if (target.WhitedOut)
            HostFs.Unlink(WhiteoutHost(to));
        FixUpMoved(to, isDirectory, targetBaseline);
        return Errno.Success;
    }

    private Errno ExchangeLocked(string from, string to, in Resolved source, in Resolved target)
    {
        var rc = MaterializeLocked(from, source);
        if (rc == Errno.Success)
            rc = MaterializeLocked(to, target);
        if (rc != Errno.Success)
            return rc;
        Baseline? fromBaseline = source.IsDirectory ? null : TargetBaseline(from, source);
        Baseline? toBaseline = target.IsDirectory ? null : TargetBaseline(to, target);
        rc = HostFs.Rename(Upper(from), Upper(to), RENAME_EXCHANGE);
        if (rc != Errno.Success)
            return rc;
        FixUpMoved(to, source.IsDirectory, toBaseline);
        FixUpMoved(from, target.IsDirectory, fromBaseline);
        return Errno.Success;
    }

    /// <summary>
    /// After a move: a directory becomes opaque (whatever the lower layer has at its new path must not show
    /// through); a file takes the baseline of the lower entry at its new path.
    /// </summary>
    private void FixUpMoved(string path, bool isDirectory, Baseline? baseline)
    {
        if (isDirectory)
            MakeOpaque(Upper(path));
        else
            Baseline.Write(Upper(path), baseline);
    }

    /// <summary>The baseline of the lower entry at <paramref name="path"/>, wherever it is recorded.</summary>
    private Baseline? TargetBaseline(string path, in Resolved r)
    {
        if (r.HasUpper && Baseline.Read(Upper(path)) is { } onEntry)
            return onEntry;
        if (r.WhitedOut && Baseline.Read(WhiteoutHost(path)) is { } onWhiteout)
            return onWhiteout;
        return r.HasLower && !HostFs.IsDir(r.Lower) ? Baseline.Of(r.Lower) : null;
    }

    /// <summary>
    /// Brings an entry wholly into the delta: a file is copied up; a directory whose lower contents show is
    /// copied up with its whole merged tree and made opaque, so it no longer depends on its lower path.
    /// </summary>
    private Errno MaterializeLocked(string path, in Resolved r)
    {
        if (!r.IsDirectory)
            return CopyUpLocked(path, r);
        var rc = EnsureUpperDirLocked(path);
        if (rc != Errno.Success || !r.LowerDirectoryShows)
            return rc;
        var entries = new List<DirectoryEntry>();
        rc = ReadDirectory(path, entries);
        if (rc != Errno.Success)
            return rc;
        foreach (var entry in entries)
        {
            var child = OverlayPath.Combine(path, entry.Name);
            rc = Resolve(child, out var cr);
            if (rc == Errno.Success)
                rc = MaterializeLocked(child, cr);
            if (rc != Errno.Success)
                return rc;
        }
        var upper = Upper(path);
        rc = MakeOpaque(upper);
        if (rc != Errno.Success)
            return rc;
        // Opaque now: the whiteouts inside hide nothing any more.
        var names = new List<string>();
        HostFs.ListDirectory(upper, names);
        foreach (var name in names)
        {
            if (Whiteout.TryGetHiddenName(name, out _))
                HostFs.Unlink(upper + "/" + name);
        }
        return Errno.Success;
    }
}
