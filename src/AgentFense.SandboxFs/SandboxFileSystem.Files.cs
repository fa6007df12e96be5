using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Handles;
using AgentFense.SandboxFs.Nodes;
using Microsoft.Win32.SafeHandles;
using static Interop.Libc;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>Open files: open, create, read, write, release and the rest of the per-handle operations.</summary>
public sealed partial class SandboxFileSystem
{
    private static bool IsWritable(int flags) => (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;

    /// <inheritdoc />
    public override FuseErrno Open(in FuseContext ctx, int flags, ref FuseOpenReply reply)
    {
        var writable = IsWritable(flags);
        var rc = ResolveAllowed(ctx.NodeId, writable ? Permission.Write : Permission.Read,
            writable ? "open-write" : "open-read", out var node, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        // fs/fuse/iomode.c: once an inode has a passthrough open, every open of it must pass through to the same
        // host file; a writer would copy the file up to another one, so it is refused before any copy-up.
        if (writable && HasPassthroughOpens(node))
            return FuseErrno.ETXTBSY;
        // Writable opens get a read-write host descriptor: the kernel may read through any handle of the file.
        rc = E(_overlay.OpenFile(path, writable ? O_RDWR | (flags & O_TRUNC) : O_RDONLY, out var handle));
        if (rc != FuseErrno.Success)
            return rc;
        var mode = ChooseIoMode(node, handle, writable, ref reply);
        if (mode is null)
        {
            handle.Dispose();
            return FuseErrno.ETXTBSY;
        }
        var open = new OpenFile(node, path, writable, mode.Value, mode == IoMode.Passthrough ? null : handle);
        if (mode == IoMode.Passthrough)
            reply.BackingFile = handle;
        reply.Fh = _handles.Add(open);
        return FuseErrno.Success;
    }

    /// <summary>
    /// Picks the kernel I/O mode for a new open and counts it on the node: passthrough for read-only opens of
    /// large files when enabled and the node has no cached opens, else cached. Null when the node has
    /// passthrough opens backed by another host file (the kernel would refuse the open).
    /// </summary>
    /// <summary>
    /// Whether the node still has passthrough opens. RELEASE reaches us asynchronously after close(2), so a
    /// reader that just closed may still be counted: wait briefly for it before answering yes.
    /// </summary>
    private static bool HasPassthroughOpens(Node node)
    {
        var deadline = Environment.TickCount64 + 50;
        while (true)
        {
            lock (node)
            {
                if (node.PassthroughOpens == 0)
                    return false;
            }
            if (Environment.TickCount64 >= deadline)
                return true;
            Thread.Sleep(1);
        }
    }

    private IoMode? ChooseIoMode(Node node, SafeFileHandle handle, bool writable, ref FuseOpenReply reply)
    {
        var haveStat = HostFs.Fstat(handle, out var st) == Delta.Errno.Success;
        var identity = haveStat ? (EntryAttributes.MakeDev(st.stx_dev_major, st.stx_dev_minor), st.stx_ino) : default;
        var stamp = haveStat ? ((long)st.stx_size, st.stx_mtime.tv_sec * 1_000_000_000 + st.stx_mtime.tv_nsec) : default;
        // No FLUSH on close for any open: writes reach the host file when they arrive (no writeback cache),
        // and their errors (ENOSPC past the delta limit) are returned by the write itself.
        reply.Flags |= FopenFlags.NoFlush;
        lock (node)
        {
            if (!writable && _passthrough && haveStat && (long)st.stx_size >= _options.PassthroughMinSize && node.CachedOpens == 0 &&
                (node.PassthroughOpens == 0 || node.BackingFile == identity))
            {
                node.PassthroughOpens++;
                node.BackingFile = identity;
                return IoMode.Passthrough;
            }
            if (node.PassthroughOpens > 0)
            {
                if (writable || node.BackingFile != identity)
                    return null;
                // Same host file: share the node's backing registration.
                node.PassthroughOpens++;
                return IoMode.Passthrough;
            }
            node.CachedOpens++;
            if (!writable && haveStat && node.CacheStamp == stamp)
                reply.Flags |= FopenFlags.KeepCache;
            node.CacheStamp = haveStat ? stamp : default;
            return IoMode.Cached;
        }
    }

    /// <inheritdoc />
    public override FuseErrno Create(in FuseContext ctx, ReadOnlySpan<byte> name, int flags, uint mode, uint umask,
        out FuseEntryOut entry, ref FuseOpenReply reply)
    {
        entry = default;
        var rc = PrepareNew(ctx, name, isDirectory: false, "create", out var parent, out var childName, out var path, out var gid, out _);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.Create(path, mode & 0xFFF, ctx.Uid, gid, O_RDWR, out var handle));
        if (rc != FuseErrno.Success)
            return rc;
        rc = Entry(parent, childName, path, out entry);
        if (rc != FuseErrno.Success)
        {
            handle.Dispose();
            return rc;
        }
        var node = _nodes.Get(entry.NodeId)!;
        var ioMode = ChooseIoMode(node, handle, writable: true, ref reply) ?? IoMode.Cached;
        reply.Fh = _handles.Add(new OpenFile(node, path, IsWritable(flags), ioMode, handle));
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Read(in FuseContext ctx, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        Interlocked.Increment(ref _readRequests);
        var open = _handles.Get(fh);
        if (open is null)
            return FuseErrno.EBADF;
        var rc = E(open.EnsureHandle(_overlay, out var handle));
        if (rc != FuseErrno.Success)
            return rc;
        try
        {
            bytesRead = RandomAccess.Read(handle, buffer, offset);
            return FuseErrno.Success;
        }
        catch (IOException)
        {
            return FuseErrno.EIO;
        }
    }

    /// <inheritdoc />
    public override FuseErrno Write(in FuseContext ctx, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        bytesWritten = 0;
        var open = _handles.Get(fh);
        if (open is null)
            return FuseErrno.EBADF;
        if (!open.Writable || open.Handle is not { } handle)
            return FuseErrno.EBADF;
        var rc = E(_overlay.ReserveWrite(handle, offset, data.Length));
        if (rc != FuseErrno.Success)
            return rc;
        try
        {
            RandomAccess.Write(handle, data, offset);
            bytesWritten = data.Length;
            return FuseErrno.Success;
        }
        catch (IOException e)
        {
            return e.HResult == (int)FuseErrno.ENOSPC ? FuseErrno.ENOSPC : FuseErrno.EIO;
        }
    }

    /// <inheritdoc />
    public override FuseErrno Release(in FuseContext ctx, ulong fh, int flags, uint releaseFlags)
    {
        var open = _handles.Remove(fh);
        if (open is null)
            return FuseErrno.EBADF;
        lock (open.Node)
        {
            if (open.Mode == IoMode.Passthrough)
                open.Node.PassthroughOpens--;
            else if (open.Mode == IoMode.Cached)
                open.Node.CachedOpens--;
        }
        open.Handle?.Dispose();
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Flush(in FuseContext ctx, ulong fh, ulong lockOwner) =>
        // Writes reach the host file when they arrive; there is nothing to flush at close.
        _handles.Get(fh) is null ? FuseErrno.EBADF : FuseErrno.Success;

    /// <inheritdoc />
    public override FuseErrno Fsync(in FuseContext ctx, ulong fh, bool dataOnly)
    {
        var open = _handles.Get(fh);
        if (open is null)
            return FuseErrno.EBADF;
        return open.Handle is { } handle ? E(HostFs.Fsync(handle)) : FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Fallocate(in FuseContext ctx, ulong fh, long offset, long length, int mode)
    {
        var open = _handles.Get(fh);
        if (open?.Handle is not { } handle || !open.Writable)
            return FuseErrno.EBADF;
        // Only the default mode (allocate, extending the size): the others punch or zero ranges, which the
        // delta's accounting does not model.
        if (mode != 0)
            return FuseErrno.EOPNOTSUPP;
        var rc = E(HostFs.Fstat(handle, out var st));
        if (rc != FuseErrno.Success)
            return rc;
        var end = offset + length;
        return end > (long)st.stx_size ? E(_overlay.ResizeFile(handle, end)) : FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Lseek(in FuseContext ctx, ulong fh, long offset, int whence, out long resultOffset)
    {
        resultOffset = 0;
        const int seekData = 3, seekHole = 4;
        var open = _handles.Get(fh);
        if (open is null)
            return FuseErrno.EBADF;
        if (whence is not (seekData or seekHole))
            return FuseErrno.EINVAL;
        var rc = E(open.EnsureHandle(_overlay, out var handle));
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(HostFs.Fstat(handle, out var st));
        if (rc != FuseErrno.Success)
            return rc;
        // The whole file is reported as data: correct, if not as sparse as the host file may be.
        var size = (long)st.stx_size;
        if (offset >= size)
            return FuseErrno.ENXIO;
        resultOffset = whence == seekData ? offset : size;
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno CopyFileRange(in FuseContext ctx, ulong fhIn, long offsetIn, ulong nodeIdOut, ulong fhOut,
        long offsetOut, ulong length, ulong flags, out ulong bytesCopied)
    {
        bytesCopied = 0;
        var input = _handles.Get(fhIn);
        var output = _handles.Get(fhOut);
        if (input is null || output?.Handle is not { } target || !output.Writable)
            return FuseErrno.EBADF;
        var rc = E(input.EnsureHandle(_overlay, out var source));
        if (rc != FuseErrno.Success)
            return rc;
        // One bounded chunk per call; the caller loops on short copies like on short writes.
        var chunk = (int)Math.Min(length, 1 << 20);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            var read = RandomAccess.Read(source, buffer.AsSpan(0, chunk), offsetIn);
            rc = E(_overlay.ReserveWrite(target, offsetOut, read));
            if (rc != FuseErrno.Success)
                return rc;
            RandomAccess.Write(target, buffer.AsSpan(0, read), offsetOut);
            bytesCopied = (ulong)read;
            return FuseErrno.Success;
        }
        catch (IOException)
        {
            return FuseErrno.EIO;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
