using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>Removes a non-directory. A lower entry is hidden by a whiteout; an upper one is deleted.</summary>
    public Errno Unlink(string path)
    {
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        if (path.Length == 0)
            return Errno.EISDIR;
        using (Mutate())
        {
            rc = Resolve(path, out var r);
            if (rc != Errno.Success)
                return rc;
            return r.IsDirectory ? Errno.EISDIR : RemoveLocked(path, r);
        }
    }

    /// <summary>Removes a directory that is empty in the merged view (ENOTEMPTY otherwise).</summary>
    public Errno RemoveDirectory(string path)
    {
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        if (path.Length == 0)
            return Errno.EBUSY;
        using (Mutate())
        {
            rc = Resolve(path, out var r);
            if (rc != Errno.Success)
                return rc;
            if (!r.IsDirectory)
                return Errno.ENOTDIR;
            return IsMergedEmpty(path) ? RemoveLocked(path, r) : Errno.ENOTEMPTY;
        }
    }

    /// <summary>
    /// Removes a path from the merged view: the whiteout goes in first (if a lower entry shows), then the upper
    /// entry goes, so a concurrent lookup sees either the old entry or nothing, never the lower one.
    /// </summary>
    private Errno RemoveLocked(string path, in Resolved r)
    {
        if (r.HasLower)
        {
            Baseline? baseline = null;
            if (!HostFs.IsDir(r.Lower))
                baseline = (r.HasUpper ? Baseline.Read(Upper(path)) : null) ?? Baseline.Of(r.Lower);
            var rc = WriteWhiteoutLocked(path, baseline);
            if (rc != Errno.Success)
                return rc;
        }
        return r.HasUpper ? DeleteUpperLocked(path, r.Upper) : Errno.Success;
    }

    /// <summary>Deletes the upper entry at <paramref name="path"/>; a directory is first moved out of sight.</summary>
    private Errno DeleteUpperLocked(string path, in statx_t st)
    {
        var upper = Upper(path);
        if (HostFs.IsDir(st))
        {
            var temp = NewWorkPath();
            var moved = HostFs.Rename(upper, temp);
            if (moved != Errno.Success)
                return moved;
            HostFs.RemoveTree(temp);
            return Errno.Success;
        }
        var freed = st.stx_nlink <= 1 ? Charge(st) : 0;
        var rc = HostFs.Unlink(upper);
        if (rc == Errno.Success)
            Quota.Release(freed);
        return rc;
    }

    private Errno WriteWhiteoutLocked(string path, Baseline? baseline)
    {
        var rc = EnsureUpperDirLocked(OverlayPath.Parent(path));
        if (rc != Errno.Success)
            return rc;
        var host = WhiteoutHost(path);
        rc = HostFs.Mknod(host, S_IFREG | 0x180, 0);
        if (rc != Errno.Success && rc != Errno.EEXIST)
            return rc;
        Baseline.Write(host, baseline);
        return Errno.Success;
    }

    private string WhiteoutHost(string path) =>
        Upper(OverlayPath.Combine(OverlayPath.Parent(path), Whiteout.For(OverlayPath.Name(path))));
}
