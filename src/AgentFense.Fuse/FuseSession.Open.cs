using System.Runtime.CompilerServices;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

public sealed partial class FuseSession
{
    private readonly FuseBackingTable _backing = new();

    /// <summary>Nodes with a registered passthrough backing file (tests).</summary>
    internal int BackingCount => _backing.Count;

    private void HandleOpen(FuseWorker w, in FuseContext ctx, in FuseOpenIn input, bool directory)
    {
        var reply = default(FuseOpenReply);
        var err = directory ? _fs.OpenDir(in ctx, input.Flags, ref reply) : _fs.Open(in ctx, input.Flags, ref reply);
        if (err != Errno.Success)
        {
            reply.BackingFile?.Dispose();
            SendError(w, ctx.Unique, err);
            return;
        }
        var output = BuildOpenOut(in ctx, ref reply, allowBacking: !directory);
        if (SendStruct(w, ctx.Unique, in output) == Errno.ENOENT)
        {
            // Interrupted before the kernel took the reply: nobody will RELEASE this handle, so do it here.
            if (directory)
            {
                _fs.ReleaseDir(in ctx, reply.Fh, input.Flags);
            }
            else
            {
                _backing.Release(this, ctx.NodeId, reply.Fh);
                _fs.Release(in ctx, reply.Fh, input.Flags, 0);
            }
        }
    }

    private void HandleCreate(FuseWorker w, in FuseContext ctx, ReadOnlySpan<byte> p)
    {
        var input = FuseWire.Read<FuseCreateIn>(p);
        var rest = p[Unsafe.SizeOf<FuseCreateIn>()..];
        var name = FuseWire.TakeName(ref rest);
        var reply = default(FuseOpenReply);
        var err = _fs.Create(in ctx, name, input.Flags, input.Mode, input.Umask, out var entry, ref reply);
        if (err != Errno.Success)
        {
            reply.BackingFile?.Dispose();
            SendError(w, ctx.Unique, err);
            return;
        }
        // The open half belongs to the new node, not to the directory the request names.
        var open = BuildOpenOut(entry.NodeId, ref reply, allowBacking: true);
        var payload = Payload(w);
        int length = FuseWire.Write(payload, in entry);
        length += FuseWire.Write(payload[length..], in open);
        if (Send(w, ctx.Unique, Errno.Success, length) == Errno.ENOENT)
        {
            _backing.Release(this, entry.NodeId, reply.Fh);
            _fs.Release(in ctx, reply.Fh, input.Flags, 0);
            if (entry.NodeId != 0)
                _fs.Forget(entry.NodeId, 1);
        }
    }

    private FuseOpenOut BuildOpenOut(in FuseContext ctx, ref FuseOpenReply reply, bool allowBacking) =>
        BuildOpenOut(ctx.NodeId, ref reply, allowBacking);

    /// <summary>
    /// Turns the filesystem's open reply into fuse_open_out, registering its backing file for passthrough when
    /// negotiated; the backing descriptor is closed here in every case.
    /// </summary>
    private FuseOpenOut BuildOpenOut(ulong nodeId, ref FuseOpenReply reply, bool allowBacking)
    {
        var output = new FuseOpenOut { Fh = reply.Fh, OpenFlags = reply.Flags & ~FopenFlags.Passthrough };
        var backing = reply.BackingFile;
        reply.BackingFile = null;
        if (backing is null)
            return output;
        using (backing)
        {
            if (allowBacking && _connection is { Passthrough: true } && _backing.TryAcquire(this, nodeId, reply.Fh, backing, out int backingId))
            {
                output.OpenFlags |= FopenFlags.Passthrough;
                output.BackingId = backingId;
            }
        }
        return output;
    }
}
