using System.Text;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>
/// Extended attributes, passed through to the merged view. Reading them is metadata (view); changing them
/// needs write. The delta's own bookkeeping attributes are neither shown nor settable.
/// </summary>
public sealed partial class SandboxFileSystem
{
    private static bool IsReserved(string name) => name.StartsWith(Whiteout.XattrPrefix, StringComparison.Ordinal);

    /// <inheritdoc />
    public override FuseErrno GetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, Span<byte> value, out int size)
    {
        size = 0;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "getxattr", out _, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        var attribute = NameOf(name);
        if (IsReserved(attribute))
            return FuseErrno.ENODATA;
        rc = E(_overlay.GetXattr(path, attribute, out var bytes));
        if (rc != FuseErrno.Success)
            return rc;
        return CopyOut(bytes, value, out size);
    }

    /// <inheritdoc />
    public override FuseErrno ListXAttr(in FuseContext ctx, Span<byte> list, out int size)
    {
        size = 0;
        var rc = ResolveAllowed(ctx.NodeId, Permission.View, "listxattr", out _, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        var names = new List<string>();
        rc = E(_overlay.ListXattr(path, names));
        if (rc != FuseErrno.Success)
            return rc;
        // Each name NUL-terminated, as listxattr(2) returns them.
        var packed = Encoding.UTF8.GetBytes(string.Concat(names.Where(n => !IsReserved(n)).Select(n => n + "\0")));
        return CopyOut(packed, list, out size);
    }

    /// <summary>The xattr reply convention: an empty buffer asks only for the size; a short one is ERANGE.</summary>
    private static FuseErrno CopyOut(ReadOnlySpan<byte> value, Span<byte> destination, out int size)
    {
        size = value.Length;
        if (destination.IsEmpty)
            return FuseErrno.Success;
        if (value.Length > destination.Length)
            return FuseErrno.ERANGE;
        value.CopyTo(destination);
        return FuseErrno.Success;
    }

    /// <inheritdoc />
    public override FuseErrno SetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        var rc = ResolveAllowed(ctx.NodeId, Permission.Write, "setxattr", out _, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        var attribute = NameOf(name);
        return IsReserved(attribute) ? FuseErrno.EPERM : E(_overlay.SetXattr(path, attribute, value, flags));
    }

    /// <inheritdoc />
    public override FuseErrno RemoveXAttr(in FuseContext ctx, ReadOnlySpan<byte> name)
    {
        var rc = ResolveAllowed(ctx.NodeId, Permission.Write, "removexattr", out _, out var path);
        if (rc != FuseErrno.Success)
            return rc;
        var attribute = NameOf(name);
        return IsReserved(attribute) ? FuseErrno.EPERM : E(_overlay.RemoveXattr(path, attribute));
    }
}
