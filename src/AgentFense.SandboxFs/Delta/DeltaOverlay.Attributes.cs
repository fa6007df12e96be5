using Microsoft.Win32.SafeHandles;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>Changes permission bits (copy-up first). EOPNOTSUPP on a symlink, which has no mode on Linux.</summary>
    public Errno Chmod(string path, uint mode)
    {
        var rc = GetAttributes(path, out var attributes);
        if (rc != Errno.Success)
            return rc;
        if (attributes.Kind == FileKind.Symlink)
            return Errno.EOPNOTSUPP;
        rc = CopyUp(path);
        return rc != Errno.Success ? rc : HostFs.Chmod(Upper(path), mode);
    }

    /// <summary>Changes owner and/or group (copy-up first); <see cref="uint.MaxValue"/> leaves one unchanged. Never follows a symlink.</summary>
    public Errno Chown(string path, uint uid, uint gid)
    {
        var rc = CopyUp(path);
        return rc != Errno.Success ? rc : HostFs.Lchown(Upper(path), uid, gid);
    }

    /// <summary>Sets the size of a regular file (copy-up first; truncating to 0 copies no content). ENOSPC past the limit.</summary>
    public Errno Truncate(string path, long size)
    {
        if (size < 0)
            return Errno.EINVAL;
        var rc = GetAttributes(path, out var attributes);
        if (rc != Errno.Success)
            return rc;
        if (attributes.Kind == FileKind.Directory)
            return Errno.EISDIR;
        if (attributes.Kind != FileKind.Regular)
            return Errno.EINVAL;
        if (attributes.Layer == Layer.Lower && size > attributes.Size
            && Quota.Available < size)
            return Errno.ENOSPC; // fail before copying: the copy-up alone would not fit with the growth
        rc = CopyUp(path, withContent: size != 0);
        if (rc != Errno.Success)
            return rc;
        var upper = Upper(path);
        rc = HostFs.Lstat(upper, out var st);
        if (rc != Errno.Success)
            return rc;
        var growth = size - (long)st.stx_size;
        rc = Quota.TryReserve(growth);
        if (rc != Errno.Success)
            return rc;
        rc = HostFs.Truncate(upper, size);
        if (rc != Errno.Success)
            Quota.TryReserve(-growth);
        return rc;
    }

    /// <summary>Sets access and/or modification time (copy-up first); never follows a symlink.</summary>
    public Errno SetTimes(string path, TimeUpdate accessTime, TimeUpdate modifyTime)
    {
        var rc = CopyUp(path);
        return rc != Errno.Success ? rc : HostFs.SetTimes(Upper(path), accessTime, modifyTime);
    }

    /// <summary>
    /// Charges the growth a write of <paramref name="count"/> bytes at <paramref name="offset"/> through a
    /// descriptor the caller holds on a delta file would cause; ENOSPC (and nothing charged) past the limit.
    /// Call before the write. Two writes extending the same file at once may both charge the same growth:
    /// the total errs high until <see cref="Recount"/>.
    /// </summary>
    public Errno ReserveWrite(SafeFileHandle handle, long offset, long count)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (offset < 0 || count < 0)
            return Errno.EINVAL;
        var rc = HostFs.Fstat(handle, out var st);
        if (rc != Errno.Success)
            return rc;
        var growth = offset + count - (long)st.stx_size;
        return growth > 0 ? Quota.TryReserve(growth) : Errno.Success;
    }

    /// <summary>ftruncate(2) through a held descriptor, with accounting; ENOSPC past the limit.</summary>
    public Errno ResizeFile(SafeFileHandle handle, long size)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (size < 0)
            return Errno.EINVAL;
        var rc = HostFs.Fstat(handle, out var st);
        if (rc != Errno.Success)
            return rc;
        var growth = size - (long)st.stx_size;
        rc = Quota.TryReserve(growth);
        if (rc != Errno.Success)
            return rc;
        try
        {
            RandomAccess.SetLength(handle, size);
            return Errno.Success;
        }
        catch (IOException e)
        {
            Quota.TryReserve(-growth);
            return e.HResult is > 0 and < 4096 ? (Errno)e.HResult : Errno.EIO;
        }
    }
}
