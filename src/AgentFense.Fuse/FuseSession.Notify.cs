using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

public sealed unsafe partial class FuseSession
{
    private const int MaxNotifyName = 1024;

    /// <summary>
    /// Tells the kernel to drop its cached attributes of <paramref name="nodeId"/> and, when
    /// <paramref name="offset"/> is not negative, its cached data from <paramref name="offset"/> for
    /// <paramref name="length"/> bytes (0 or less: to the end). Returns ENOENT when the kernel does not know
    /// the node (nothing to drop). Call it from any thread, but not from a handler of the same node: the kernel
    /// may wait for that handler (deadlock).
    /// </summary>
    public Errno NotifyInvalInode(ulong nodeId, long offset = -1, long length = 0)
    {
        var body = new FuseNotifyInvalInodeOut { Ino = nodeId, Off = offset, Len = length };
        return SendNotify(FuseNotifyCode.InvalInode, in body, default, hasName: false);
    }

    /// <summary>
    /// Tells the kernel to drop its cached entry <paramref name="name"/> in <paramref name="parent"/> (and the
    /// parent's attributes), so the next access looks it up again. With <paramref name="expireOnly"/> (kernel 6.2+)
    /// the entry is only marked expired rather than removed (still usable by open files and mounts). Returns
    /// ENOENT when nothing was cached. Not from a handler on <paramref name="parent"/> (deadlock on its lock).
    /// </summary>
    public Errno NotifyInvalEntry(ulong parent, ReadOnlySpan<byte> name, bool expireOnly = false)
    {
        if (expireOnly && _connection is { ExpireOnly: false })
            return Errno.EOPNOTSUPP;
        var body = new FuseNotifyInvalEntryOut { Parent = parent, NameLen = (uint)name.Length, Flags = expireOnly ? 1u : 0u };
        return SendNotify(FuseNotifyCode.InvalEntry, in body, name, hasName: true);
    }

    /// <summary>
    /// Tells the kernel that <paramref name="name"/> in <paramref name="parent"/>, which was <paramref name="child"/>,
    /// is gone: the dentry is dropped and the child's link count updated, as if it had been unlinked through the mount.
    /// Same threading rule as <see cref="NotifyInvalEntry"/>.
    /// </summary>
    public Errno NotifyDelete(ulong parent, ulong child, ReadOnlySpan<byte> name)
    {
        var body = new FuseNotifyDeleteOut { Parent = parent, Child = child, NameLen = (uint)name.Length };
        return SendNotify(FuseNotifyCode.Delete, in body, name, hasName: true);
    }

    /// <summary>Writes header + body (+ name + NUL) in one write(2) from a stack buffer; safe from any thread.</summary>
    private Errno SendNotify<T>(FuseNotifyCode code, in T body, ReadOnlySpan<byte> name, bool hasName) where T : unmanaged
    {
        if (!IsConnected)
            return Errno.ENOTCONN;
        if (name.Length > MaxNotifyName)
            return Errno.ENAMETOOLONG;
        int headerSize = FuseWire.OutHeaderSize;
        int length = headerSize + Unsafe.SizeOf<T>() + (hasName ? name.Length + 1 : 0);
        byte* buffer = stackalloc byte[FuseWire.OutHeaderSize + 64 + MaxNotifyName + 1];
        var span = new Span<byte>(buffer, length);
        var header = new FuseOutHeader { Len = (uint)length, Error = (int)code, Unique = 0 };
        MemoryMarshal.Write(span, in header);
        MemoryMarshal.Write(span[headerSize..], in body);
        if (hasName)
        {
            name.CopyTo(span[(headerSize + Unsafe.SizeOf<T>())..]);
            span[^1] = 0;
        }
        nint written;
        try
        {
            written = Interop.Libc.write(_device, buffer, (nuint)length);
        }
        catch (ObjectDisposedException)
        {
            return Errno.ENOTCONN;
        }
        return written >= 0 ? Errno.Success : FuseErrors.LastErrno();
    }
}
