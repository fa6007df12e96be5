namespace AgentFense.Fuse;

/// <summary>
/// A raw, node-id based filesystem (go-fuse's RawFileSystem): one method per FUSE opcode. Names arrive as
/// bytes without NUL; spans are valid only during the call. Handlers run on the shared worker pool, several
/// at a time for the same mount, so implementations must be thread-safe, must not block on their own mount,
/// and should not throw (an exception becomes EIO and a log line). Every node id handed to the kernel in a
/// successful entry reply (Lookup, MkNod, MkDir, Symlink, Link, Create, ReadDirPlus) adds one to its lookup
/// count; Forget/BatchForget take it back. Node id 1 is the root.
/// <see cref="FuseFileSystem"/> answers ENOSYS to everything; derive from it.
/// </summary>
public interface IFuseFileSystem
{
    /// <summary>Called once after INIT was negotiated, before the reply lets other requests in.</summary>
    void Init(FuseConnectionInfo connection);

    /// <summary>Called once when the session ends (DESTROY, unmount, or the device closing).</summary>
    void Destroy();

    /// <summary>Looks up <paramref name="name"/> in directory <c>ctx.NodeId</c>. Success with NodeId 0 caches a negative entry.</summary>
    Errno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry);

    /// <summary>Drops <paramref name="nlookup"/> from the lookup count of <paramref name="nodeId"/>; no reply.</summary>
    void Forget(ulong nodeId, ulong nlookup);

    /// <summary>Several <see cref="Forget"/>s in one message; no reply.</summary>
    void BatchForget(ReadOnlySpan<FuseForgetOne> forgets);

    /// <summary>Attributes of <c>ctx.NodeId</c>; <paramref name="fh"/> is set when the caller used an open file (fstat).</summary>
    Errno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr);

    /// <summary>Changes the attributes named in <c>input.Valid</c> (chmod, chown, truncate, utimes) and returns the new ones.</summary>
    Errno SetAttr(in FuseContext ctx, in FuseSetAttrIn input, out FuseAttrOut attr);

    /// <summary>Writes the symlink target into <paramref name="target"/> and its length to <paramref name="length"/>.</summary>
    Errno ReadLink(in FuseContext ctx, Span<byte> target, out int length);

    /// <summary>Creates symlink <paramref name="name"/> pointing at <paramref name="target"/> in <c>ctx.NodeId</c>.</summary>
    Errno Symlink(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntryOut entry);

    /// <summary>Creates a file node (regular, fifo, socket, device) in <c>ctx.NodeId</c>.</summary>
    Errno MkNod(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntryOut entry);

    /// <summary>Creates a directory in <c>ctx.NodeId</c>; <paramref name="mode"/> lacks S_IFDIR.</summary>
    Errno MkDir(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntryOut entry);

    /// <summary>Removes a non-directory from <c>ctx.NodeId</c>.</summary>
    Errno Unlink(in FuseContext ctx, ReadOnlySpan<byte> name);

    /// <summary>Removes an empty directory from <c>ctx.NodeId</c>.</summary>
    Errno RmDir(in FuseContext ctx, ReadOnlySpan<byte> name);

    /// <summary>Renames <paramref name="name"/> in <c>ctx.NodeId</c> to <paramref name="newName"/> in <paramref name="newParent"/> (RENAME and RENAME2).</summary>
    Errno Rename(in FuseContext ctx, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags);

    /// <summary>Creates hard link <paramref name="newName"/> in <c>ctx.NodeId</c> to <paramref name="oldNodeId"/>.</summary>
    Errno Link(in FuseContext ctx, ulong oldNodeId, ReadOnlySpan<byte> newName, out FuseEntryOut entry);

    /// <summary>Opens <c>ctx.NodeId</c> with open(2) <paramref name="flags"/>; may return a backing file for passthrough.</summary>
    Errno Open(in FuseContext ctx, int flags, ref FuseOpenReply reply);

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/> into <paramref name="buffer"/>; fewer means end of file.</summary>
    Errno Read(in FuseContext ctx, ulong fh, long offset, Span<byte> buffer, out int bytesRead);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>; <paramref name="writeFlags"/> holds FUSE_WRITE_* bits.</summary>
    Errno Write(in FuseContext ctx, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten);

    /// <summary>Filesystem statistics (statfs/df).</summary>
    Errno StatFs(in FuseContext ctx, out FuseKStatFs stats);

    /// <summary>The last close of an open file; the errno is ignored by the kernel.</summary>
    Errno Release(in FuseContext ctx, ulong fh, int flags, uint releaseFlags);

    /// <summary>fsync/fdatasync of an open file.</summary>
    Errno Fsync(in FuseContext ctx, ulong fh, bool dataOnly);

    /// <summary>Each close(2) of a descriptor; ENOSYS makes the kernel stop sending FLUSH.</summary>
    Errno Flush(in FuseContext ctx, ulong fh, ulong lockOwner);

    /// <summary>Opens a directory; with NO_OPENDIR_SUPPORT negotiated, ENOSYS means "never ask again, use fh 0".</summary>
    Errno OpenDir(in FuseContext ctx, int flags, ref FuseOpenReply reply);

    /// <summary>Lists entries after cookie <paramref name="offset"/> until <paramref name="writer"/> is full.</summary>
    Errno ReadDir(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer);

    /// <summary>Like <see cref="ReadDir"/> with attributes and lookups (<see cref="FuseDirEntryWriter.TryAddPlus"/>).</summary>
    Errno ReadDirPlus(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer);

    /// <summary>The last close of an open directory.</summary>
    Errno ReleaseDir(in FuseContext ctx, ulong fh, int flags);

    /// <summary>fsync of an open directory.</summary>
    Errno FsyncDir(in FuseContext ctx, ulong fh, bool dataOnly);

    /// <summary>access(2) check of <paramref name="mask"/> (R_OK 4, W_OK 2, X_OK 1); ENOSYS makes the kernel stop asking.</summary>
    Errno Access(in FuseContext ctx, uint mask);

    /// <summary>Creates and opens a regular file in <c>ctx.NodeId</c> (O_CREAT); may return a backing file like <see cref="Open"/>.</summary>
    Errno Create(in FuseContext ctx, ReadOnlySpan<byte> name, int flags, uint mode, uint umask, out FuseEntryOut entry, ref FuseOpenReply reply);

    /// <summary>fallocate(2) of an open file.</summary>
    Errno Fallocate(in FuseContext ctx, ulong fh, long offset, long length, int mode);

    /// <summary>lseek(2) for SEEK_DATA/SEEK_HOLE (the kernel handles the rest itself).</summary>
    Errno Lseek(in FuseContext ctx, ulong fh, long offset, int whence, out long resultOffset);

    /// <summary>copy_file_range(2) from (<c>ctx.NodeId</c>, <paramref name="fhIn"/>) to (<paramref name="nodeIdOut"/>, <paramref name="fhOut"/>).</summary>
    Errno CopyFileRange(in FuseContext ctx, ulong fhIn, long offsetIn, ulong nodeIdOut, ulong fhOut, long offsetOut, ulong length, ulong flags, out ulong bytesCopied);

    /// <summary>
    /// Reads xattr <paramref name="name"/>. When <c>value</c> is empty the caller asks only for the size:
    /// set <paramref name="size"/> and return Success. When the value does not fit, return ERANGE.
    /// </summary>
    Errno GetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, Span<byte> value, out int size);

    /// <summary>Lists xattr names, each NUL-terminated; size-only and ERANGE rules as in <see cref="GetXAttr"/>.</summary>
    Errno ListXAttr(in FuseContext ctx, Span<byte> list, out int size);

    /// <summary>Sets xattr <paramref name="name"/>; <paramref name="flags"/> holds XATTR_CREATE/XATTR_REPLACE.</summary>
    Errno SetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags);

    /// <summary>Removes xattr <paramref name="name"/>.</summary>
    Errno RemoveXAttr(in FuseContext ctx, ReadOnlySpan<byte> name);
}
