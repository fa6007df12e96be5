namespace AgentFense.Fuse;

/// <summary>
/// Base class for <see cref="IFuseFileSystem"/>: every operation answers ENOSYS (out values zeroed), except
/// that Forget does nothing, BatchForget calls Forget per entry and ReadDirPlus falls back to ReadDir.
/// Override what the filesystem supports.
/// </summary>
public abstract class FuseFileSystem : IFuseFileSystem
{
    /// <inheritdoc/>
    public virtual void Init(FuseConnectionInfo connection)
    {
    }

    /// <inheritdoc/>
    public virtual void Destroy()
    {
    }

    /// <inheritdoc/>
    public virtual Errno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual void Forget(ulong nodeId, ulong nlookup)
    {
    }

    /// <inheritdoc/>
    public virtual void BatchForget(ReadOnlySpan<FuseForgetOne> forgets)
    {
        foreach (ref readonly var forget in forgets)
            Forget(forget.NodeId, forget.NLookup);
    }

    /// <inheritdoc/>
    public virtual Errno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr)
    {
        attr = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno SetAttr(in FuseContext ctx, in FuseSetAttrIn input, out FuseAttrOut attr)
    {
        attr = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno ReadLink(in FuseContext ctx, Span<byte> target, out int length)
    {
        length = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Symlink(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntryOut entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno MkNod(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno MkDir(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Unlink(in FuseContext ctx, ReadOnlySpan<byte> name) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno RmDir(in FuseContext ctx, ReadOnlySpan<byte> name) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Rename(in FuseContext ctx, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Link(in FuseContext ctx, ulong oldNodeId, ReadOnlySpan<byte> newName, out FuseEntryOut entry)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Open(in FuseContext ctx, int flags, ref FuseOpenReply reply) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Read(in FuseContext ctx, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Write(in FuseContext ctx, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        bytesWritten = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno StatFs(in FuseContext ctx, out FuseKStatFs stats)
    {
        stats = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Release(in FuseContext ctx, ulong fh, int flags, uint releaseFlags) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Fsync(in FuseContext ctx, ulong fh, bool dataOnly) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Flush(in FuseContext ctx, ulong fh, ulong lockOwner) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno OpenDir(in FuseContext ctx, int flags, ref FuseOpenReply reply) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno ReadDir(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) => Errno.ENOSYS;

    /// <inheritdoc/>
    /// <remarks>The default lists through <see cref="ReadDir"/> without attributes (node id 0 entries), so a filesystem that only implements ReadDir still lists.</remarks>
    public virtual Errno ReadDirPlus(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) =>
        ReadDir(in ctx, fh, offset, ref writer);

    /// <inheritdoc/>
    public virtual Errno ReleaseDir(in FuseContext ctx, ulong fh, int flags) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno FsyncDir(in FuseContext ctx, ulong fh, bool dataOnly) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Access(in FuseContext ctx, uint mask) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Create(in FuseContext ctx, ReadOnlySpan<byte> name, int flags, uint mode, uint umask, out FuseEntryOut entry, ref FuseOpenReply reply)
    {
        entry = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno Fallocate(in FuseContext ctx, ulong fh, long offset, long length, int mode) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno Lseek(in FuseContext ctx, ulong fh, long offset, int whence, out long resultOffset)
    {
        resultOffset = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno CopyFileRange(in FuseContext ctx, ulong fhIn, long offsetIn, ulong nodeIdOut, ulong fhOut, long offsetOut, ulong length, ulong flags, out ulong bytesCopied)
    {
        bytesCopied = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno GetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, Span<byte> value, out int size)
    {
        size = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno ListXAttr(in FuseContext ctx, Span<byte> list, out int size)
    {
        size = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public virtual Errno SetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) => Errno.ENOSYS;

    /// <inheritdoc/>
    public virtual Errno RemoveXAttr(in FuseContext ctx, ReadOnlySpan<byte> name) => Errno.ENOSYS;
}
