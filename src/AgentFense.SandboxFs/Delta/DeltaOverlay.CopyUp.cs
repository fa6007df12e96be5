using Microsoft.Win32.SafeHandles;
using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    private const int CopyUpAttempts = 3;

    /// <summary>
    /// Makes sure <paramref name="path"/> has its own entry in the delta (parents included), copying the lower
    /// entry up if needed: content, mode, ownership, times and xattrs (best effort). A symlink is copied as a
    /// link. A lower file with several hard links is copied as a separate file: links between lower files are
    /// not preserved in the delta. The copy is staged in the work directory and renamed into place, so a crash
    /// never leaves a partial file visible. ENOSPC when the copy would pass the size limit.
    /// </summary>
    public Errno CopyUp(string path) => CopyUp(path, withContent: true);

    private Errno CopyUp(string path, bool withContent)
    {
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        rc = Resolve(path, out var r);
        if (rc != Errno.Success || r.HasUpper)
            return rc;
        lock (CopyUpLockFor(path))
        {
            for (var attempt = 0; attempt < CopyUpAttempts; attempt++)
            {
                rc = Resolve(path, out r);
                if (rc != Errno.Success || r.HasUpper)
                    return rc;
                if (r.IsDirectory)
                {
                    using (Mutate())
                        return EnsureUpperDirLocked(path);
                }
                rc = Stage(Lower(path), r.Lower, withContent, out var temp, out var charged);
                if (rc != Errno.Success)
                    return rc;
                using (Mutate())
                {
                    // The path may have changed while the content was copied: publish only what it still names.
                    rc = Resolve(path, out var now);
                    var same = rc == Errno.Success && !now.HasUpper && now.HasLower
                        && Baseline.Of(now.Lower) == Baseline.Of(r.Lower);
                    if (same)
                        rc = PublishCopyLocked(temp, path);
                    if (same && rc == Errno.Success)
                        return Errno.Success;
                    Unstage(temp, charged);
                    if (rc != Errno.Success && rc != Errno.EEXIST)
                        return rc;
                    if (now.HasUpper)
                        return Errno.Success;
                }
            }
            return Errno.EAGAIN;
        }
    }

    /// <summary>Copies up under the mutation lock (rename, link): no staging outside the lock.</summary>
    private Errno CopyUpLocked(string path, in Resolved r, bool withContent = true)
    {
        if (r.HasUpper)
            return Errno.Success;
        if (r.IsDirectory)
            return EnsureUpperDirLocked(path);
        var rc = Stage(Lower(path), r.Lower, withContent, out var temp, out var charged);
        if (rc != Errno.Success)
            return rc;
        rc = PublishCopyLocked(temp, path);
        if (rc != Errno.Success)
            Unstage(temp, charged);
        return rc;
    }

    /// <summary>Creates the upper directory <paramref name="path"/> and its missing ancestors with the lower metadata.</summary>
    private Errno EnsureUpperDirLocked(string path)
    {
        if (HostFs.Lstat(Upper(path), out var st) == Errno.Success)
            return HostFs.IsDir(st) ? Errno.Success : Errno.ENOTDIR;
        var rc = EnsureUpperDirLocked(OverlayPath.Parent(path));
        if (rc != Errno.Success)
            return rc;
        rc = Resolve(path, out var r);
        if (rc != Errno.Success)
            return rc;
        if (!r.IsDirectory)
            return Errno.ENOTDIR;
        rc = Stage(Lower(path), r.Lower, withContent: true, out var temp, out _);
        if (rc != Errno.Success)
            return rc;
        var upperParent = Upper(OverlayPath.Parent(path));
        var haveTimes = HostFs.Lstat(upperParent, out var times) == Errno.Success;
        rc = HostFs.Rename(temp, Upper(path), RENAME_NOREPLACE);
        if (rc != Errno.Success)
            HostFs.RemoveTree(temp);
        else if (haveTimes)
            HostFs.SetTimes(upperParent, times);
        return rc;
    }

    /// <summary>Moves a staged entry to its place in the delta, creating upper parents first.</summary>
    private Errno PublishLocked(string temp, string path)
    {
        var rc = EnsureUpperDirLocked(OverlayPath.Parent(path));
        return rc != Errno.Success ? rc : HostFs.Rename(temp, Upper(path), RENAME_NOREPLACE);
    }

    /// <summary>
    /// Publishes a copy-up: like <see cref="PublishLocked"/>, but the parent keeps its times, since a copy-up
    /// changes nothing in the merged view.
    /// </summary>
    private Errno PublishCopyLocked(string temp, string path)
    {
        var parent = OverlayPath.Parent(path);
        var rc = EnsureUpperDirLocked(parent);
        if (rc != Errno.Success)
            return rc;
        var upperParent = Upper(parent);
        var haveTimes = HostFs.Lstat(upperParent, out var times) == Errno.Success;
        rc = HostFs.Rename(temp, Upper(path), RENAME_NOREPLACE);
        if (rc == Errno.Success && haveTimes)
            HostFs.SetTimes(upperParent, times);
        return rc;
    }

    private void Unstage(string temp, long charged)
    {
        HostFs.RemoveTree(temp);
        Quota.Release(charged);
    }

    /// <summary>
    /// Copies one lower entry to a fresh name in the work directory, metadata included; charges the quota for
    /// its bytes. On failure nothing is left staged and nothing stays charged.
    /// </summary>
    private Errno Stage(string lowerHost, in statx_t st, bool withContent, out string temp, out long charged)
    {
        temp = NewWorkPath();
        charged = 0;
        var kind = HostFs.Kind(st);
        Errno rc;
        switch (kind)
        {
            case FileKind.Regular:
                charged = withContent ? (long)st.stx_size : 0;
                rc = Quota.TryReserve(charged);
                if (rc != Errno.Success)
                {
                    charged = 0;
                    return rc;
                }
                rc = CopyContent(lowerHost, temp, withContent);
                break;
            case FileKind.Directory:
                rc = HostFs.Mkdir(temp, 0x1C0);
                break;
            case FileKind.Symlink:
                rc = HostFs.ReadLink(lowerHost, out var target);
                if (rc != Errno.Success)
                    break;
                charged = (long)st.stx_size;
                rc = Quota.TryReserve(charged);
                if (rc != Errno.Success)
                {
                    charged = 0;
                    return rc;
                }
                rc = HostFs.Symlink(target, temp);
                break;
            default:
                rc = HostFs.Mknod(temp, st.stx_mode,
                    EntryAttributes.MakeDev(st.stx_rdev_major, st.stx_rdev_minor));
                break;
        }
        if (rc == Errno.Success)
            rc = CopyMetadata(lowerHost, temp, st);
        if (rc == Errno.Success && kind == FileKind.Regular)
            Baseline.Write(temp, Baseline.Of(st));
        if (rc != Errno.Success)
        {
            Unstage(temp, charged);
            charged = 0;
        }
        return rc;
    }

    private static Errno CopyContent(string from, string to, bool withContent)
    {
        var rc = HostFs.Open(to, O_WRONLY | O_CREAT | O_EXCL, 0x180, out var destination);
        if (rc != Errno.Success)
            return rc;
        using (destination)
        {
            if (!withContent)
                return Errno.Success;
            rc = HostFs.Open(from, O_RDONLY, 0, out var source);
            if (rc != Errno.Success)
                return rc;
            using (source)
                return HostFs.CopyData(source, destination, long.MaxValue);
        }
    }

    /// <summary>Xattrs (best effort), owner, mode, then times (last: the other steps touch ctime only).</summary>
    private static Errno CopyMetadata(string from, string to, in statx_t st)
    {
        CopyXattrs(from, to);
        var rc = HostFs.Lchown(to, st.stx_uid, st.stx_gid);
        if (rc != Errno.Success && rc != Errno.EPERM)
            return rc;
        if (HostFs.Kind(st) != FileKind.Symlink)
        {
            rc = HostFs.Chmod(to, st.stx_mode);
            if (rc != Errno.Success)
                return rc;
        }
        return HostFs.SetTimes(to, st);
    }

    private static void CopyXattrs(string from, string to)
    {
        var names = new List<string>();
        if (HostFs.ListXattr(from, names) != Errno.Success)
            return;
        foreach (var name in names)
        {
            if (IsEngineXattr(name))
                continue;
            if (HostFs.GetXattr(from, name, out var value) == Errno.Success)
                HostFs.SetXattr(to, name, value, 0);
        }
    }

    private static bool IsEngineXattr(string name) => name.StartsWith(Whiteout.XattrPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Opens a file of the merged view with open(2) <paramref name="flags"/> (O_CREAT/O_EXCL ignored: use
    /// <see cref="Create"/>). Opening for writing, or with O_TRUNC, copies the file up first (with O_TRUNC the
    /// content is not copied) and opens the delta's copy; opening read-only opens whichever layer serves the
    /// path now. The handle stays valid across later copy-ups, but a read-only handle on a lower file keeps
    /// reading the lower file after the path is copied up.
    /// </summary>
    public Errno OpenFile(string path, int flags, out SafeFileHandle handle)
    {
        handle = new SafeFileHandle();
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        flags &= ~(O_CREAT | O_EXCL);
        var truncate = (flags & O_TRUNC) != 0;
        if ((flags & O_ACCMODE) == O_RDONLY && !truncate)
        {
            rc = GetHostPath(path, out var host, out _);
            return rc != Errno.Success ? rc : HostFs.Open(host, flags, 0, out handle);
        }
        rc = GetAttributes(path, out var attributes);
        if (rc != Errno.Success)
            return rc;
        if (attributes.Kind == FileKind.Directory)
            return Errno.EISDIR;
        rc = CopyUp(path, withContent: !truncate || attributes.Kind != FileKind.Regular);
        if (rc != Errno.Success)
            return rc;
        var upper = Upper(path);
        long freed = 0;
        if (truncate && HostFs.Lstat(upper, out var st) == Errno.Success && st.stx_nlink == 1)
            freed = Charge(st);
        rc = HostFs.Open(upper, flags, 0, out handle);
        if (rc == Errno.Success)
            Quota.Release(freed);
        return rc;
    }
}
