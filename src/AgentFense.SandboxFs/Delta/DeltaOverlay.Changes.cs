using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Lists the delta's changes against the codebase, sorted by path (ordinal, so a directory precedes its
    /// contents). A deleted directory is one change (its contents are not listed); an added directory is
    /// listed with everything in it. Deciding "modified": a type change, or for a regular file a different
    /// size, mode, owner or content; a symlink with another target or owner; a directory with another mode
    /// or owner. Times alone are not a change, so a file copied up (opened for writing, touched) but left
    /// byte-for-byte the same is not reported. Under an opaque directory every codebase entry the delta lacks
    /// is reported deleted.
    /// </summary>
    public Errno ListChanges(List<DeltaChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var start = changes.Count;
        var rc = WalkChanges("", HostFs.IsDirectory(_lower), changes);
        changes.Sort(start, changes.Count - start, Comparer<DeltaChange>.Create((a, b) => string.CompareOrdinal(a.Path, b.Path)));
        return rc;
    }

    private Errno WalkChanges(string dir, bool lowerDirExists, List<DeltaChange> changes)
    {
        var list = new List<string>();
        var rc = HostFs.ListDirectory(Upper(dir), list);
        if (rc != Errno.Success)
            return rc;
        var names = new HashSet<string>(list, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in list)
        {
            var child = OverlayPath.Combine(dir, name);
            if (Whiteout.IsReserved(name))
            {
                if (Whiteout.TryGetHiddenName(name, out var hidden) && lowerDirExists && !names.Contains(hidden)
                    && present.Add(hidden)
                    && HostFs.Lstat(Lower(OverlayPath.Combine(dir, hidden)), out var gone) == Errno.Success)
                    changes.Add(new DeltaChange(OverlayPath.Combine(dir, hidden), ChangeKind.Deleted, HostFs.Kind(gone), SizeOf(gone)));
                continue;
            }
            present.Add(name);
            if (HostFs.Lstat(Upper(child), out var up) != Errno.Success)
                continue;
            statx_t low = default;
            var hasLower = lowerDirExists && HostFs.Lstat(Lower(child), out low) == Errno.Success;
            var kind = HostFs.Kind(up);
            if (!hasLower || HostFs.Kind(low) != kind)
            {
                changes.Add(new DeltaChange(child, hasLower ? ChangeKind.Modified : ChangeKind.Added, kind, SizeOf(up)));
                if (kind == FileKind.Directory)
                    rc = WalkChanges(child, lowerDirExists: false, changes);
            }
            else
            {
                if (IsModified(child, up, low))
                    changes.Add(new DeltaChange(child, ChangeKind.Modified, kind, SizeOf(up)));
                if (kind == FileKind.Directory)
                    rc = WalkChanges(child, lowerDirExists: true, changes);
            }
            if (rc != Errno.Success)
                return rc;
        }
        if (lowerDirExists && names.Contains(Whiteout.OpaqueMarker))
            AddHiddenLowerEntries(dir, present, changes);
        return Errno.Success;
    }

    private void AddHiddenLowerEntries(string dir, HashSet<string> present, List<DeltaChange> changes)
    {
        var lowerNames = new List<string>();
        if (HostFs.ListDirectory(Lower(dir), lowerNames) != Errno.Success)
            return;
        foreach (var name in lowerNames)
        {
            var child = OverlayPath.Combine(dir, name);
            if (!Whiteout.IsReserved(name) && !present.Contains(name)
                && HostFs.Lstat(Lower(child), out var gone) == Errno.Success)
                changes.Add(new DeltaChange(child, ChangeKind.Deleted, HostFs.Kind(gone), SizeOf(gone)));
        }
    }

    private bool IsModified(string path, in statx_t up, in statx_t low)
    {
        if (up.stx_uid != low.stx_uid || up.stx_gid != low.stx_gid)
            return true;
        var kind = HostFs.Kind(up);
        if (kind != FileKind.Symlink && (up.stx_mode & 0xFFF) != (low.stx_mode & 0xFFF))
            return true;
        switch (kind)
        {
            case FileKind.Directory:
                return false;
            case FileKind.Symlink:
                return HostFs.ReadLink(Upper(path), out var a) != Errno.Success
                    || HostFs.ReadLink(Lower(path), out var b) != Errno.Success || a != b;
            case FileKind.Regular:
                if (up.stx_size != low.stx_size)
                    return true;
                var sameTime = up.stx_mtime.tv_sec == low.stx_mtime.tv_sec && up.stx_mtime.tv_nsec == low.stx_mtime.tv_nsec;
                return !sameTime && !HostFs.SameContent(Upper(path), Lower(path));
            default:
                return up.stx_rdev_major != low.stx_rdev_major || up.stx_rdev_minor != low.stx_rdev_minor;
        }
    }

    private static long SizeOf(in statx_t st) => HostFs.Kind(st) == FileKind.Directory ? 0 : (long)st.stx_size;
}
