using System.Text;
using Microsoft.Win32.SafeHandles;
using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Creates a regular file owned by <paramref name="uid"/>:<paramref name="gid"/> with permission bits
    /// <paramref name="mode"/> (no umask applied: the caller applies it) and opens it with open(2)
    /// <paramref name="flags"/>. EEXIST if the path exists; EPERM for a reserved <c>.wh.</c> name.
    /// </summary>
    public Errno Create(string path, uint mode, uint uid, uint gid, int flags, out SafeFileHandle handle)
    {
        handle = new SafeFileHandle();
        var rc = CheckNewPath(path);
        if (rc != Errno.Success)
            return rc;
        using (Mutate())
        {
            rc = CreateNodeLocked(path, S_IFREG | (mode & 0xFFF), 0, uid, gid);
            if (rc != Errno.Success)
                return rc;
            return HostFs.Open(Upper(path), flags & ~(O_CREAT | O_EXCL | O_TRUNC), 0, out handle);
        }
    }

    /// <summary>
    /// Creates a node: a regular file, a FIFO, a socket, or (given the privilege) a device with number
    /// <paramref name="rdev"/>. The type comes from the <c>S_IFMT</c> bits of <paramref name="mode"/>
    /// (none means a regular file); directories and symlinks have their own methods (EINVAL here).
    /// </summary>
    public Errno MakeNode(string path, uint mode, ulong rdev, uint uid, uint gid)
    {
        var rc = CheckNewPath(path);
        if (rc != Errno.Success)
            return rc;
        if ((mode & S_IFMT) == 0)
            mode |= S_IFREG;
        if (EntryAttributes.KindOf(mode) is FileKind.Directory or FileKind.Symlink or FileKind.Unknown)
            return Errno.EINVAL;
        using (Mutate())
            return CreateNodeLocked(path, mode, rdev, uid, gid);
    }

    /// <summary>Creates a directory owned by <paramref name="uid"/>:<paramref name="gid"/>; opaque if it replaces a deleted lower one.</summary>
    public Errno MakeDirectory(string path, uint mode, uint uid, uint gid)
    {
        var rc = CheckNewPath(path);
        if (rc != Errno.Success)
            return rc;
        using (Mutate())
        {
            rc = PrepareCreateLocked(path, out var r);
            if (rc != Errno.Success)
                return rc;
            var temp = NewWorkPath();
            rc = HostFs.Mkdir(temp, 0x1C0);
            if (rc != Errno.Success)
                return rc;
            rc = SetOwnerAndMode(temp, mode & 0xFFF, uid, gid, symlink: false);
            if (rc == Errno.Success && r.WhitedOut)
                rc = MakeOpaque(temp);
            return FinishCreateLocked(temp, path, r, rc, baseline: false, charged: 0);
        }
    }

    /// <summary>Creates a symlink to <paramref name="target"/> (stored as given, never resolved here).</summary>
    public Errno Symlink(string path, string target, uint uid, uint gid)
    {
        var rc = CheckNewPath(path);
        if (rc != Errno.Success)
            return rc;
        if (string.IsNullOrEmpty(target) || target.Contains('\0'))
            return Errno.EINVAL;
        using (Mutate())
        {
            rc = PrepareCreateLocked(path, out var r);
            if (rc != Errno.Success)
                return rc;
            long charged = Encoding.UTF8.GetByteCount(target);
            rc = Quota.TryReserve(charged);
            if (rc != Errno.Success)
                return rc;
            var temp = NewWorkPath();
            rc = HostFs.Symlink(target, temp);
            if (rc == Errno.Success)
                rc = SetOwnerAndMode(temp, 0, uid, gid, symlink: true);
            return FinishCreateLocked(temp, path, r, rc, baseline: false, charged);
        }
    }

    /// <summary>
    /// Makes <paramref name="newPath"/> a hard link to <paramref name="existingPath"/> in the merged view; a
    /// lower-only file is copied up first, so the link joins the copy, never the codebase file.
    /// </summary>
    public Errno Link(string existingPath, string newPath)
    {
        var rc = CheckPath(existingPath);
        if (rc == Errno.Success)
            rc = CheckNewPath(newPath);
        if (rc != Errno.Success)
            return rc;
        // Copy a lower-only file up before taking the mutation lock (see Rename's PreCopyUp).
        if (Resolve(existingPath, out var early) == Errno.Success && !early.HasUpper && !early.IsDirectory
            && PrepareCreateLocked(newPath, out _) == Errno.Success)
        {
            rc = CopyUp(existingPath);
            if (rc != Errno.Success && rc != Errno.ENOENT)
                return rc;
        }
        using (Mutate())
        {
            rc = Resolve(existingPath, out var source);
            if (rc != Errno.Success)
                return rc;
            if (source.IsDirectory)
                return Errno.EPERM;
            rc = PrepareCreateLocked(newPath, out var r);
            if (rc != Errno.Success)
                return rc;
            rc = CopyUpLocked(existingPath, source);
            if (rc != Errno.Success)
                return rc;
            var temp = NewWorkPath();
            rc = HostFs.Link(Upper(existingPath), temp);
            return FinishCreateLocked(temp, newPath, r, rc, baseline: false, charged: 0);
        }
    }

    /// <remarks>
    /// A new node has no content to tear, so it is made in place rather than staged in the work directory:
    /// staging cost a rename per create, and new inodes in the long-lived work directory proved several times
    /// slower to allocate on ext4 than in the target directory. It is made with no permission bits, so until
    /// its owner and mode are set nobody but root can open it; through the mount the kernel holds the parent
    /// directory locked for the whole create, so no lookup sees it half made.
    /// </remarks>
    private Errno CreateNodeLocked(string path, uint mode, ulong rdev, uint uid, uint gid)
    {
        var rc = PrepareCreateLocked(path, out var r);
        if (rc != Errno.Success)
            return rc;
        rc = EnsureUpperDirLocked(OverlayPath.Parent(path));
        if (rc != Errno.Success)
            return rc;
        var host = Upper(path);
        var whiteout = WhiteoutHost(path);
        rc = HostFs.Mknod(host, mode & S_IFMT, rdev);
        if (rc != Errno.Success)
            return rc;
        rc = SetOwnerAndMode(host, mode & 0xFFF, uid, gid, symlink: false);
        if (rc == Errno.Success && r.WhitedOut && EntryAttributes.KindOf(mode) == FileKind.Regular)
            Baseline.Write(host, Baseline.Read(whiteout));
        if (rc != Errno.Success)
        {
            HostFs.Unlink(host);
            return rc;
        }
        if (r.WhitedOut)
            HostFs.Unlink(whiteout);
        return Errno.Success;
    }

    /// <summary>Success when <paramref name="path"/> is absent from the merged view and its parent is a directory.</summary>
    private Errno PrepareCreateLocked(string path, out Resolved r)
    {
        var rc = Resolve(path, out r);
        if (rc == Errno.Success)
            return Errno.EEXIST;
        return rc == Errno.ENOENT && r.ParentExists ? Errno.Success : rc;
    }

    /// <summary>
    /// Moves a staged new entry into place and drops the whiteout it replaces (after: the view never shows the
    /// lower entry again in between). A file created over a whiteout inherits the whiteout's baseline.
    /// </summary>
    private Errno FinishCreateLocked(string temp, string path, in Resolved r, Errno staged, bool baseline, long charged)
    {
        var whiteout = WhiteoutHost(path);
        if (staged == Errno.Success && r.WhitedOut && baseline)
            Baseline.Write(temp, Baseline.Read(whiteout));
        var rc = staged == Errno.Success ? PublishLocked(temp, path) : staged;
        if (rc != Errno.Success)
        {
            Unstage(temp, charged);
            return rc;
        }
        if (r.WhitedOut)
            HostFs.Unlink(whiteout);
        return Errno.Success;
    }

    private static Errno SetOwnerAndMode(string host, uint mode, uint uid, uint gid, bool symlink)
    {
        var rc = HostFs.Lchown(host, uid, gid);
        if (rc != Errno.Success)
            return rc;
        return symlink ? Errno.Success : HostFs.Chmod(host, mode);
    }

    private static Errno MakeOpaque(string upperDirectory)
    {
        var rc = HostFs.Mknod(upperDirectory + "/" + Whiteout.OpaqueMarker, S_IFREG | 0x180, 0);
        return rc == Errno.EEXIST ? Errno.Success : rc;
    }
}
