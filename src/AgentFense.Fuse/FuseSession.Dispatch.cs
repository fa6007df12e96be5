using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentFense.Fuse.Diagnostics;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

public sealed unsafe partial class FuseSession
{
    private void Dispatch(FuseWorker worker, ReadOnlySpan<byte> request)
    {
        if (!FuseWire.TryParseRequest(request, out var header, out var payload))
        {
            Log($"malformed request of {request.Length} bytes (len={header.Len}, opcode={header.Opcode})");
            if (request.Length >= FuseWire.InHeaderSize)
                SendError(worker, header.Unique, Errno.EIO);
            return;
        }
        var ctx = new FuseContext(this, in header, worker);
        long started = FuseMetrics.Enabled ? Stopwatch.GetTimestamp() : 0;
        worker.Begin(this, header.Unique);
        try
        {
            if (_connection is null && header.Opcode != FuseOpcode.Init)
                SendError(worker, header.Unique, Errno.EIO);
            else
                DispatchCore(worker, in ctx, payload);
        }
        catch (Exception ex)
        {
            Log($"{header.Opcode} (unique {header.Unique}, node {header.NodeId}) threw: {ex}");
            if (header.Opcode is not (FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.NotifyReply or FuseOpcode.Interrupt))
                SendError(worker, header.Unique, Errno.EIO);
        }
        finally
        {
            worker.End();
            if (started != 0)
                FuseMetrics.RecordOperation(header.Opcode, started);
        }
    }

    // One decode-call-encode case per opcode; the filesystem never sees the wire structs of requests.
    private void DispatchCore(FuseWorker w, in FuseContext ctx, ReadOnlySpan<byte> p)
    {
        ulong unique = ctx.Unique;
        switch (ctx.Opcode)
        {
            case FuseOpcode.Init:
                HandleInit(w, unique, p);
                return;
            case FuseOpcode.Lookup:
            {
                var name = FuseWire.TakeName(ref p);
                var err = _fs.Lookup(in ctx, name, out var entry);
                SendEntry(w, unique, err, in entry);
                return;
            }
            case FuseOpcode.Forget:
                _fs.Forget(ctx.NodeId, FuseWire.Read<FuseForgetIn>(p).NLookup);
                return;
            case FuseOpcode.BatchForget:
            {
                var batch = FuseWire.Read<FuseBatchForgetIn>(p);
                var items = p[Unsafe.SizeOf<FuseBatchForgetIn>()..];
                int count = (int)Math.Min(batch.Count, (uint)(items.Length / Unsafe.SizeOf<FuseForgetOne>()));
                _fs.BatchForget(MemoryMarshal.Cast<byte, FuseForgetOne>(items)[..count]);
                return;
            }
            case FuseOpcode.GetAttr:
            {
                var input = FuseWire.Read<FuseGetAttrIn>(p);
                ulong? fh = (input.GetAttrFlags & FuseWire.GetAttrFh) != 0 ? input.Fh : null;
                var err = _fs.GetAttr(in ctx, fh, out var attr);
                SendResult(w, unique, err, in attr);
                return;
            }
            case FuseOpcode.SetAttr:
            {
                var input = FuseWire.Read<FuseSetAttrIn>(p);
                var err = _fs.SetAttr(in ctx, in input, out var attr);
                SendResult(w, unique, err, in attr);
                return;
            }
            case FuseOpcode.ReadLink:
            {
                // The kernel reads the target into one page and keeps the last byte for the NUL.
                var target = Payload(w)[..4095];
                var err = _fs.ReadLink(in ctx, target, out int length);
                SendData(w, unique, err, length, target.Length);
                return;
            }
            case FuseOpcode.Symlink:
            {
                var name = FuseWire.TakeName(ref p);
                var target = FuseWire.TakeName(ref p);
                var err = _fs.Symlink(in ctx, name, target, out var entry);
                SendEntry(w, unique, err, in entry);
                return;
            }
            case FuseOpcode.MkNod:
            {
                var input = FuseWire.Read<FuseMknodIn>(p);
                var rest = p[Unsafe.SizeOf<FuseMknodIn>()..];
                var err = _fs.MkNod(in ctx, FuseWire.TakeName(ref rest), input.Mode, input.RDev, input.Umask, out var entry);
                SendEntry(w, unique, err, in entry);
                return;
            }
            case FuseOpcode.MkDir:
            {
                var input = FuseWire.Read<FuseMkdirIn>(p);
                var rest = p[Unsafe.SizeOf<FuseMkdirIn>()..];
                var err = _fs.MkDir(in ctx, FuseWire.TakeName(ref rest), input.Mode, input.Umask, out var entry);
                SendEntry(w, unique, err, in entry);
                return;
            }
            case FuseOpcode.Unlink:
                SendError(w, unique, _fs.Unlink(in ctx, FuseWire.TakeName(ref p)));
                return;
            case FuseOpcode.RmDir:
                SendError(w, unique, _fs.RmDir(in ctx, FuseWire.TakeName(ref p)));
                return;
            case FuseOpcode.Rename:
            {
                var input = FuseWire.Read<FuseRenameIn>(p);
                var rest = p[Unsafe.SizeOf<FuseRenameIn>()..];
                var name = FuseWire.TakeName(ref rest);
                var newName = FuseWire.TakeName(ref rest);
                SendError(w, unique, _fs.Rename(in ctx, name, input.NewDir, newName, RenameFlags.None));
                return;
            }
            case FuseOpcode.Rename2:
            {
                var input = FuseWire.Read<FuseRename2In>(p);
                var rest = p[Unsafe.SizeOf<FuseRename2In>()..];
                var name = FuseWire.TakeName(ref rest);
                var newName = FuseWire.TakeName(ref rest);
                SendError(w, unique, _fs.Rename(in ctx, name, input.NewDir, newName, input.Flags));
                return;
            }
            case FuseOpcode.Link:
            {
                var input = FuseWire.Read<FuseLinkIn>(p);
                var rest = p[Unsafe.SizeOf<FuseLinkIn>()..];
                var err = _fs.Link(in ctx, input.OldNodeId, FuseWire.TakeName(ref rest), out var entry);
                SendEntry(w, unique, err, in entry);
                return;
            }
            case FuseOpcode.Open:
                HandleOpen(w, in ctx, FuseWire.Read<FuseOpenIn>(p), directory: false);
                return;
            case FuseOpcode.OpenDir:
                HandleOpen(w, in ctx, FuseWire.Read<FuseOpenIn>(p), directory: true);
                return;
            case FuseOpcode.Read:
            {
                var input = FuseWire.Read<FuseReadIn>(p);
                var buffer = Payload(w)[..(int)Math.Min(input.Size, (uint)(FuseWorker.ReplyCapacity - FuseWire.OutHeaderSize))];
                var err = _fs.Read(in ctx, input.Fh, (long)input.Offset, buffer, out int read);
                SendData(w, unique, err, read, buffer.Length);
                return;
            }
            case FuseOpcode.Write:
            {
                var input = FuseWire.Read<FuseWriteIn>(p);
                var data = p[Math.Min(Unsafe.SizeOf<FuseWriteIn>(), p.Length)..];
                data = data[..(int)Math.Min(input.Size, (uint)data.Length)];
                var err = _fs.Write(in ctx, input.Fh, (long)input.Offset, data, input.WriteFlags, out int written);
                SendResult(w, unique, err, new FuseWriteOut { Size = (uint)Math.Clamp(written, 0, data.Length) });
                return;
            }
            case FuseOpcode.StatFs:
            {
                var err = _fs.StatFs(in ctx, out var stats);
                SendResult(w, unique, err, in stats);
                return;
            }
            case FuseOpcode.Release:
            {
                var input = FuseWire.Read<FuseReleaseIn>(p);
                _backing.Release(this, ctx.NodeId, input.Fh);
                _fs.Release(in ctx, input.Fh, input.Flags, input.ReleaseFlags);
                // The kernel does not look at RELEASE errors; answer success so nothing is logged for them.
                SendError(w, unique, Errno.Success);
                return;
            }
            case FuseOpcode.ReleaseDir:
            {
                var input = FuseWire.Read<FuseReleaseIn>(p);
                _fs.ReleaseDir(in ctx, input.Fh, input.Flags);
                SendError(w, unique, Errno.Success);
                return;
            }
            case FuseOpcode.Fsync:
            {
                var input = FuseWire.Read<FuseFsyncIn>(p);
                SendError(w, unique, _fs.Fsync(in ctx, input.Fh, (input.FsyncFlags & FuseWire.FsyncFdatasync) != 0));
                return;
            }
            case FuseOpcode.FsyncDir:
            {
                var input = FuseWire.Read<FuseFsyncIn>(p);
                SendError(w, unique, _fs.FsyncDir(in ctx, input.Fh, (input.FsyncFlags & FuseWire.FsyncFdatasync) != 0));
                return;
            }
            case FuseOpcode.Flush:
            {
                var input = FuseWire.Read<FuseFlushIn>(p);
                SendError(w, unique, _fs.Flush(in ctx, input.Fh, input.LockOwner));
                return;
            }
            case FuseOpcode.SetXAttr:
                HandleSetXAttr(w, in ctx, p);
                return;
            case FuseOpcode.GetXAttr:
            {
                var input = FuseWire.Read<FuseGetXAttrIn>(p);
                var rest = p[Unsafe.SizeOf<FuseGetXAttrIn>()..];
                var name = FuseWire.TakeName(ref rest);
                var value = XAttrBuffer(w, input.Size);
                var err = _fs.GetXAttr(in ctx, name, value, out int size);
                SendXAttr(w, unique, err, input.Size, size);
                return;
            }
            case FuseOpcode.ListXAttr:
            {
                var input = FuseWire.Read<FuseGetXAttrIn>(p);
                var err = _fs.ListXAttr(in ctx, XAttrBuffer(w, input.Size), out int size);
                SendXAttr(w, unique, err, input.Size, size);
                return;
            }
            case FuseOpcode.RemoveXAttr:
                SendError(w, unique, _fs.RemoveXAttr(in ctx, FuseWire.TakeName(ref p)));
                return;
            case FuseOpcode.ReadDir:
            case FuseOpcode.ReadDirPlus:
            {
                var input = FuseWire.Read<FuseReadIn>(p);
                var buffer = Payload(w)[..(int)Math.Min(input.Size, (uint)(FuseWorker.ReplyCapacity - FuseWire.OutHeaderSize))];
                bool plus = ctx.Opcode == FuseOpcode.ReadDirPlus;
                var writer = new FuseDirEntryWriter(buffer, plus);
                var err = plus
                    ? _fs.ReadDirPlus(in ctx, input.Fh, input.Offset, ref writer)
                    : _fs.ReadDir(in ctx, input.Fh, input.Offset, ref writer);
                SendData(w, unique, err, writer.BytesWritten, buffer.Length);
                return;
            }
            case FuseOpcode.Access:
                SendError(w, unique, _fs.Access(in ctx, FuseWire.Read<FuseAccessIn>(p).Mask));
                return;
            case FuseOpcode.Create:
                HandleCreate(w, in ctx, p);
                return;
            case FuseOpcode.Interrupt:
            {
                // A miss means the target is not being handled yet (or is done): EAGAIN makes the kernel re-send
                // the interrupt later if the request is still pending, and drop it otherwise.
                ulong target = FuseWire.Read<FuseInterruptIn>(p).Unique;
                if (!_server.TryInterrupt(this, target))
                    SendError(w, unique, Errno.EAGAIN);
                return;
            }
            case FuseOpcode.Destroy:
                CallDestroyOnce();
                SendError(w, unique, Errno.Success);
                return;
            case FuseOpcode.Fallocate:
            {
                var input = FuseWire.Read<FuseFallocateIn>(p);
                SendError(w, unique, _fs.Fallocate(in ctx, input.Fh, (long)input.Offset, (long)input.Length, input.Mode));
                return;
            }
            case FuseOpcode.Lseek:
            {
                var input = FuseWire.Read<FuseLseekIn>(p);
                var err = _fs.Lseek(in ctx, input.Fh, (long)input.Offset, input.Whence, out long offset);
                SendResult(w, unique, err, new FuseLseekOut { Offset = (ulong)offset });
                return;
            }
            case FuseOpcode.CopyFileRange:
            {
                var input = FuseWire.Read<FuseCopyFileRangeIn>(p);
                var err = _fs.CopyFileRange(in ctx, input.FhIn, (long)input.OffIn, input.NodeIdOut, input.FhOut, (long)input.OffOut,
                    input.Len, input.Flags, out ulong copied);
                SendResult(w, unique, err, new FuseWriteOut { Size = (uint)Math.Min(copied, uint.MaxValue) });
                return;
            }
            case FuseOpcode.NotifyReply:
                return;
            default:
                // GETLK/SETLK (locks stay local without POSIX_LOCKS), IOCTL, POLL, BMAP, SYNCFS, TMPFILE, STATX and
                // opcodes newer than us: ENOSYS, which the kernel remembers for most of them.
                SendError(w, unique, Errno.ENOSYS);
                return;
        }
    }

    private void SendResult<T>(FuseWorker w, ulong unique, Errno err, in T value) where T : unmanaged
    {
        if (err == Errno.Success)
            SendStruct(w, unique, in value);
        else
            SendError(w, unique, err);
    }

    /// <summary>Sends an entry; if the kernel no longer wants it (interrupted), the lookup it carried is forgotten.</summary>
    private void SendEntry(FuseWorker w, ulong unique, Errno err, in FuseEntryOut entry)
    {
        if (err != Errno.Success)
        {
            SendError(w, unique, err);
            return;
        }
        if (SendStruct(w, unique, in entry) == Errno.ENOENT && entry.NodeId != 0)
            _fs.Forget(entry.NodeId, 1);
    }

    private void SendData(FuseWorker w, ulong unique, Errno err, int length, int capacity)
    {
        if (err != Errno.Success)
            SendError(w, unique, err);
        else
            Send(w, unique, Errno.Success, Math.Clamp(length, 0, capacity));
    }

    private static Span<byte> XAttrBuffer(FuseWorker w, uint requested) =>
        Payload(w)[..(int)Math.Min(requested, (uint)(FuseWorker.ReplyCapacity - FuseWire.OutHeaderSize))];

    /// <summary>A zero-size request asks for the size (fuse_getxattr_out); otherwise the value itself, or ERANGE.</summary>
    private void SendXAttr(FuseWorker w, ulong unique, Errno err, uint requested, int size)
    {
        if (err != Errno.Success)
            SendError(w, unique, err);
        else if (requested == 0)
            SendStruct(w, unique, new FuseGetXAttrOut { Size = (uint)Math.Max(size, 0) });
        else if ((uint)size > requested)
            SendError(w, unique, Errno.ERANGE);
        else
            Send(w, unique, Errno.Success, Math.Max(size, 0));
    }

    private void HandleSetXAttr(FuseWorker w, in FuseContext ctx, ReadOnlySpan<byte> p)
    {
        // Without FUSE_SETXATTR_EXT the kernel sends only the first 8 bytes of fuse_setxattr_in.
        bool ext = (_connection!.Flags & FuseInitFlags.SetxattrExt) != 0;
        int headSize = ext ? Unsafe.SizeOf<FuseSetXAttrIn>() : FuseWire.CompatSetXAttrInSize;
        var input = FuseWire.Read<FuseSetXAttrIn>(p[..Math.Min(headSize, p.Length)]);
        var rest = p[Math.Min(headSize, p.Length)..];
        var name = FuseWire.TakeName(ref rest);
        var value = rest[..(int)Math.Min(input.Size, (uint)rest.Length)];
        SendError(w, ctx.Unique, _fs.SetXAttr(in ctx, name, value, input.Flags));
    }
}
