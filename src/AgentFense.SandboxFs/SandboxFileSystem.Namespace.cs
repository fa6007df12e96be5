using System.Text;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Nodes;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>Changes to names: create, remove, link, rename. Each needs write on every path involved.</summary>
public sealed partial class SandboxFileSystem
{
    private const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFSOCK = 0xC000, S_ISGID = 0x400;

    /// <summary>
    /// Resolves the parent of a new entry and checks the policy lets the new path be written. The new entry's
    /// group follows POSIX: the parent's when the parent is setgid, else the caller's.
    /// </summary>
    private FuseErrno PrepareNew(in FuseContext ctx, ReadOnlySpan<byte> name, bool isDirectory, string operation,
        out Node parent, out string childName, out string path, out uint gid, out bool setgidParent)
    {
        childName = NameOf(name);
        path = "";
        gid = ctx.Gid;
        setgidParent = false;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, operation, out parent, out var parentPath);
        if (rc != FuseErrno.Success)
            return rc;
        path = parentPath.Length == 0 ? childName : parentPath + "/" + childName;
        rc = Gate(DecisionOf(path, isDirectory), Permission.Write, operation, path);
        if (rc != FuseErrno.Success)
            return rc;
        if (_overlay.GetAttributes(parentPath, out var parentAttributes) == Delta.Errno.Success &&
            (parentAttributes.Mode & S_ISGID) != 0)
        {
            gid = parentAttributes.Gid;
            setgidParent = true;
        }
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno MkDir(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        var rc = PrepareNew(ctx, name, isDirectory: true, "mkdir", out var parent, out var childName, out var path, out var gid, out var setgid);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.MakeDirectory(path, (mode & 0xFFF) | (setgid ? S_ISGID : 0), ctx.Uid, gid));
        return rc != FuseErrno.Success ? rc : Entry(parent, childName, path, out entry);
    }

    /// <inheritdoc />
    public override FuseErrno MkNod(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        // Device nodes would reach host devices through the delta: only files, fifos and sockets.
        if ((mode & S_IFMT) is not (S_IFREG or S_IFIFO or S_IFSOCK))
            return FuseErrno.EPERM;
        var rc = PrepareNew(ctx, name, isDirectory: false, "mknod", out var parent, out var childName, out var path, out var gid, out _);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.MakeNode(path, mode, 0, ctx.Uid, gid));
        return rc != FuseErrno.Success ? rc : Entry(parent, childName, path, out entry);
    }

    /// <inheritdoc />
    public override FuseErrno Symlink(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntryOut entry)
    {
        entry = default;
        var rc = PrepareNew(ctx, name, isDirectory: false, "symlink", out var parent, out var childName, out var path, out var gid, out _);
        if (rc != FuseErrno.Success)
            return rc;
        // Stored as given: the kernel resolves it later in the sandbox's own view, where the policy applies.
        rc = E(_overlay.Symlink(path, Encoding.UTF8.GetString(target), ctx.Uid, gid));
        return rc != FuseErrno.Success ? rc : Entry(parent, childName, path, out entry);
    }

    /// <inheritdoc />
    public override FuseErrno Link(in FuseContext ctx, ulong oldNodeId, ReadOnlySpan<byte> newName, out FuseEntryOut entry)
    {
        entry = default;
        // A new name for content must not give write access the content's own path lacks.
        var rc = ResolveAllowed(oldNodeId, Permission.Write, "link", out var source, out var sourcePath);
        if (rc != FuseErrno.Success)
            return rc;
        rc = PrepareNew(ctx, newName, isDirectory: false, "link", out var parent, out var childName, out var path, out _, out _);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.Link(sourcePath, path));
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(_overlay.GetAttributes(path, out var attributes));
        if (rc != FuseErrno.Success)
            return rc;
        // The new name is the same inode to the kernel, so link counts and identity read as natively.
        _nodes.AddAlias(source, parent, childName);
        _negatives.Remove(parent.Id, childName);
        FillEntry(source, attributes, out entry);
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Unlink(in FuseContext ctx, ReadOnlySpan<byte> name) => Remove(ctx, name, directory: false);

    /// <inheritdoc />
    public override FuseErrno RmDir(in FuseContext ctx, ReadOnlySpan<byte> name) => Remove(ctx, name, directory: true);

    private FuseErrno Remove(in FuseContext ctx, ReadOnlySpan<byte> name, bool directory)
    {
        var operation = directory ? "rmdir" : "unlink";
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, operation, out var parent, out var parentPath);
        if (rc != FuseErrno.Success)
            return rc;
        var childName = NameOf(name);
        var path = parentPath.Length == 0 ? childName : parentPath + "/" + childName;
        rc = Gate(DecisionOf(path, directory), Permission.Write, operation, path);
        if (rc != FuseErrno.Success)
            return rc;
        rc = E(directory ? _overlay.RemoveDirectory(path) : _overlay.Unlink(path));
        if (rc != FuseErrno.Success)
            return rc;
        _nodes.Detach(parent, childName);
        // The kernel now caches the absence; remember it so a discard can bring the name back.
        _negatives.TryAdd(parent.Id, childName);
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno Rename(in FuseContext ctx, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, Fuse.RenameFlags flags)
    {
        if ((flags & Fuse.RenameFlags.Whiteout) != 0)
            return FuseErrno.EINVAL;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "rename", out var fromParent, out var fromParentPath);
        if (rc != FuseErrno.Success)
            return rc;
        rc = ResolveAllowed(newParent, Permission.View, "rename", out var toParent, out var toParentPath);
        if (rc != FuseErrno.Success)
            return rc;
        var fromName = NameOf(name);
        var toName = NameOf(newName);
        var from = fromParentPath.Length == 0 ? fromName : fromParentPath + "/" + fromName;
        var to = toParentPath.Length == 0 ? toName : toParentPath + "/" + toName;
        rc = E(_overlay.GetAttributes(from, out var source));
        if (rc != FuseErrno.Success)
            return rc;
        var exchange = (flags & Fuse.RenameFlags.Exchange) != 0;
        rc = CheckRenameAllowed(from, to, source.Kind == FileKind.Directory);
        if (rc == FuseErrno.Success && _overlay.GetAttributes(to, out var target) == Delta.Errno.Success)
        {
            // The replaced entry is deleted, or with EXCHANGE moved to the source's place.
            rc = exchange
                ? CheckRenameAllowed(to, from, target.Kind == FileKind.Directory)
                : Gate(DecisionOf(to, target.Kind == FileKind.Directory), Permission.Write, "rename", to);
        }
        if (rc != FuseErrno.Success)
            return rc;
        var deltaFlags = (exchange ? Delta.RenameFlags.Exchange : Delta.RenameFlags.None) |
                         ((flags & Fuse.RenameFlags.NoReplace) != 0 ? Delta.RenameFlags.NoReplace : Delta.RenameFlags.None);
        rc = E(_overlay.Rename(from, to, deltaFlags));
        if (rc != FuseErrno.Success)
            return rc;
        _nodes.Move(fromParent, fromName, toParent, toName, exchange);
        if (!exchange)
            _negatives.TryAdd(fromParent.Id, fromName);
        return FuseErrno.Success;
    }

    /// <summary>
    /// Write on the entry's old and new path and, for a directory, on the old and new path of everything
    /// beneath it (a move must not turn read-only or hidden paths into writable ones, or the reverse).
    /// </summary>
    private FuseErrno CheckRenameAllowed(string from, string to, bool isDirectory)
    {
        var rc = Gate(DecisionOf(from, isDirectory), Permission.Write, "rename", from);
        if (rc == FuseErrno.Success)
            rc = Gate(DecisionOf(to, isDirectory), Permission.Write, "rename", to);
        if (rc != FuseErrno.Success || !isDirectory)
            return rc;
        var entries = new List<DirectoryEntry>();
        rc = E(_overlay.ReadDirectory(from, entries));
        if (rc != FuseErrno.Success)
            return rc;
        foreach (var entry in entries)
        {
            rc = CheckRenameAllowed(from + "/" + entry.Name, to + "/" + entry.Name, entry.Kind == FileKind.Directory);
            if (rc != FuseErrno.Success)
                return rc == FuseErrno.ENOENT ? FuseErrno.EACCES : rc;
        }
        return FuseErrno.Success;
    }
}
