using System.Text;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Handles;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>Listing directories: only visible children are listed; "." and ".." come first.</summary>
public sealed partial class SandboxFileSystem
{
    private const int DotEntries = 2;

    /// <inheritdoc />
    public override FuseErrno OpenDir(in FuseContext ctx, int flags, ref FuseOpenReply reply)
    {
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "opendir", out var node, out _);
        if (rc != FuseErrno.Success)
            return rc;
        reply.Fh = _handles.Add(new OpenDirectory(node));
        // Let the kernel keep listings in its page cache across opens: changes through the mount update it
        // and changes from outside (commit, discard, a new policy) invalidate it explicitly.
        reply.Flags |= FopenFlags.CacheDir | FopenFlags.KeepCache;
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno ReleaseDir(in FuseContext ctx, ulong fh, int flags)
    {
        _handles.RemoveDirectory(fh);
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno FsyncDir(in FuseContext ctx, ulong fh, bool dataOnly) => FuseErrno.Success;

    /// <inheritdoc />
    public override FuseErrno ReadDir(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) =>
        List(ctx, fh, offset, ref writer, plus: false);

    /// <inheritdoc />
    public override FuseErrno ReadDirPlus(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) =>
        List(ctx, fh, offset, ref writer, plus: true);

    // Offsets are cookies: entry i (counting "." and "..") has next-offset i + 1.
    private FuseErrno List(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer, bool plus)
    {
        var dir = _handles.GetDirectory(fh);
        if (dir is null)
            return FuseErrno.EBADF;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "readdir", out var node, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        if (offset == 0)
        {
            rc = LoadVisibleEntries(path, dir.Entries = []);
            if (rc != FuseErrno.Success)
                return rc;
            dir.DotInodes = (InodeOf(path), node.Parent is { } up ? InodeOf(_nodes.PathOf(up)) : InodeOf(path));
        }
        var entries = dir.Entries;
        for (var i = (int)Math.Min(offset, int.MaxValue); i < entries.Count + DotEntries; i++)
        {
            var next = (ulong)i + 1;
            bool added;
            if (i < DotEntries)
            {
                var dots = i == 0 ? "."u8 : ".."u8;
                var ino = i == 0 ? dir.DotInodes.Dot : dir.DotInodes.DotDot;
                // The kernel takes no lookup for "." and ".." in READDIRPLUS, so they carry no node id.
                added = plus
                    ? writer.TryAddPlus(dots, new FuseEntryOut { Attr = new FuseAttr { Ino = ino, Mode = 0x4000 } }, next)
                    : writer.TryAdd(dots, ino, 0x4000, next);
            }
            else
            {
                var entry = entries[i - DotEntries];
                added = plus ? TryAddPlus(ref writer, node, path, entry, next) : TryAdd(ref writer, node, entry, next);
            }
            if (!added)
                break;
        }
        return FuseErrno.Success;
    }

    private ulong InodeOf(string path) =>
        _overlay.GetAttributes(path, out var attributes) == Delta.Errno.Success ? InodeNumber(attributes) : 0;

    private bool TryAdd(ref FuseDirEntryWriter writer, Nodes.Node parent, in DirectoryEntry entry, ulong next)
    {
        return writer.TryAdd(Encoding.UTF8.GetBytes(entry.Name), InodeNumber(entry.Attributes), entry.Attributes.Mode, next);
    }

    private bool TryAddPlus(ref FuseDirEntryWriter writer, Nodes.Node parent, string parentPath, in DirectoryEntry entry, ulong next)
    {
        var node = _nodes.Remember(parent, entry.Name, entry.Kind == FileKind.Directory);
        FillEntry(node, entry.Attributes, out var reply);
        if (writer.TryAddPlus(Encoding.UTF8.GetBytes(entry.Name), reply, next))
            return true;
        // Not sent: take the lookup back so the count matches what the kernel holds.
        _nodes.Forget(node.Id, 1);
        return false;
    }

    private FuseErrno LoadVisibleEntries(string path, List<DirectoryEntry> visible)
    {
        var all = new List<DirectoryEntry>();
        var rc = E(_overlay.ReadDirectory(path, all));
        if (rc != FuseErrno.Success)
            return rc;
        var policy = Volatile.Read(ref _policy);
        foreach (var entry in all)
        {
            var childPath = path.Length == 0 ? entry.Name : path + "/" + entry.Name;
            if (policy.Decide(childPath, entry.Kind == FileKind.Directory).Permission != Permission.None)
                visible.Add(entry);
        }
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Access(in FuseContext ctx, uint mask)
    {
        // Only asked without default_permissions; answers for the policy alone.
        var rc = Resolve(ctx.NodeId, out var node, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        var needed = (mask & 2) != 0 ? Permission.Write
            : (mask & 4) != 0 && !node.IsDirectory ? Permission.Read
            : (mask & 1) != 0 && !node.IsDirectory ? Permission.Read
            : Permission.View;
        return Gate(DecisionOf(node, path), needed, "access", path);
    }
}
