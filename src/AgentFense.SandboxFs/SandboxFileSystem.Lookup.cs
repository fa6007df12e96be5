using System.Text;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>Lookup, attributes, links' targets, forgetting and statfs.</summary>
public sealed partial class SandboxFileSystem
{
    /// <inheritdoc />
    public override FuseErrno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry)
    {
        entry = default;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "lookup", out var parent, out var parentPath);
        if (rc != FuseErrno.Success)
            return rc;
        var childName = NameOf(name);
        var path = parentPath.Length == 0 ? childName : parentPath + "/" + childName;
        var found = _overlay.GetAttributes(path, out var attributes);
        if (found == Delta.Errno.ENOENT)
        {
            Negative(parent, childName, out entry);
            return FuseErrno.Success;
        }
        if (found != Delta.Errno.Success)
            return E(found);
        var isDirectory = attributes.Kind == FileKind.Directory;
        var decision = DecisionOf(path, isDirectory);
        if (decision.Permission == Permission.None)
        {
            RecordRefusal("lookup", path, decision);
            Negative(parent, childName, out entry);
            return FuseErrno.Success;
        }
        var node = _nodes.Remember(parent, childName, isDirectory);
        FillEntry(node, attributes, out entry);
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override void Forget(ulong nodeId, ulong nlookup) => _nodes.Forget(nodeId, nlookup);

    /// <inheritdoc />
    public override void BatchForget(ReadOnlySpan<FuseForgetOne> forgets)
    {
        foreach (var forget in forgets)
            _nodes.Forget(forget.NodeId, forget.NLookup);
    }

    /// <inheritdoc />
    public override FuseErrno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr)
    {
        attr = default;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "stat", out var node, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        // fstat of an open file still works after its name is gone (unlinked while open).
        if (fh is { } handleId && _handles.Get(handleId)?.Handle is { IsInvalid: false } handle &&
            HostFs.Fstat(handle, out var st) == Delta.Errno.Success)
        {
            FillAttrOut(node, EntryAttributes.From(st, Layer.Upper), out attr);
            return FuseErrno.Success;
        }
        rc = E(_overlay.GetAttributes(path, out var attributes));
        if (rc == FuseErrno.Success)
            FillAttrOut(node, attributes, out attr);
        return rc;
    }

    /// <inheritdoc />
    public override FuseErrno SetAttr(in FuseContext ctx, in FuseSetAttrIn input, out FuseAttrOut attr)
    {
        attr = default;
        var operation = (input.Valid & SetAttrValid.Size) != 0 ? "truncate"
            : (input.Valid & (SetAttrValid.Uid | SetAttrValid.Gid)) != 0 ? "chown"
            : (input.Valid & SetAttrValid.Mode) != 0 ? "chmod" : "utimes";
        var rc = ResolveAllowed(ctx.NodeId, Permission.Write, operation, out var node, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        rc = ApplySetAttr(input, path);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.GetAttributes(path, out var attributes));
        if (rc == FuseErrno.Success)
            FillAttrOut(node, attributes, out attr);
        return rc;
    }

    private FuseErrno ApplySetAttr(in FuseSetAttrIn input, string path)
    {
        var valid = input.Valid;
        if ((valid & SetAttrValid.Mode) != 0)
        {
            var rc = E(_overlay.Chmod(path, input.Mode & 0xFFF));
            if (rc != FuseErrno.Success)
                return rc;
        }
        if ((valid & (SetAttrValid.Uid | SetAttrValid.Gid)) != 0)
        {
            var uid = (valid & SetAttrValid.Uid) != 0 ? input.Uid : uint.MaxValue;
            var gid = (valid & SetAttrValid.Gid) != 0 ? input.Gid : uint.MaxValue;
            var rc = E(_overlay.Chown(path, uid, gid));
            if (rc != FuseErrno.Success)
                return rc;
        }
        if ((valid & SetAttrValid.Size) != 0)
        {
            var open = (valid & SetAttrValid.Fh) != 0 ? _handles.Get(input.Fh) : null;
            var rc = open?.Handle is { IsInvalid: false } handle && open.Writable
                ? E(_overlay.ResizeFile(handle, (long)input.Size))
                : E(_overlay.Truncate(path, (long)input.Size));
            if (rc != FuseErrno.Success)
                return rc;
        }
        if ((valid & (SetAttrValid.ATime | SetAttrValid.MTime | SetAttrValid.ATimeNow | SetAttrValid.MTimeNow)) != 0)
        {
            var atime = (valid & SetAttrValid.ATimeNow) != 0 ? TimeUpdate.Now
                : (valid & SetAttrValid.ATime) != 0 ? TimeUpdate.To(new UnixTime((long)input.ATime, input.ATimeNsec))
                : TimeUpdate.Omit;
            var mtime = (valid & SetAttrValid.MTimeNow) != 0 ? TimeUpdate.Now
                : (valid & SetAttrValid.MTime) != 0 ? TimeUpdate.To(new UnixTime((long)input.MTime, input.MTimeNsec))
                : TimeUpdate.Omit;
            var rc = E(_overlay.SetTimes(path, atime, mtime));
            if (rc != FuseErrno.Success)
                return rc;
        }
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno ReadLink(in FuseContext ctx, Span<byte> target, out int length)
    {
        length = 0;
        // A link's target is metadata (ls -l shows it), so view suffices; the kernel resolves the target in
        // the sandbox's own view, where the policy applies again.
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "readlink", out _, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.ReadLink(path, out var text));
        if (rc != FuseErrno.Success)
            return rc;
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > target.Length)
            return FuseErrno.ENAMETOOLONG;
        bytes.CopyTo(target);
        length = bytes.Length;
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno StatFs(in FuseContext ctx, out FuseKStatFs stats)
    {
        stats = default;
        // The delta's file system, capped by the size limit: what the sandbox may still write.
        var rc = E(_overlay.GetSpace(out var space));
        if (rc != FuseErrno.Success)
            return rc;
        stats.BSize = (uint)space.BlockSize;
        stats.FrSize = (uint)space.BlockSize;
        stats.Blocks = space.TotalBlocks;
        stats.BFree = space.FreeBlocks;
        stats.BAvail = space.AvailableBlocks;
        stats.Files = space.TotalFiles;
        stats.FFree = space.FreeFiles;
        stats.NameLen = (uint)space.NameMax;
        return FuseErrno.Success;
    }
}
