using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>Constants and span helpers of the /dev/fuse wire format (include/uapi/linux/fuse.h).</summary>
internal static class FuseWire
{
    /// <summary>FUSE_KERNEL_VERSION.</summary>
    public const uint KernelVersion = 7;

    /// <summary>The highest minor we speak: 7.40 brings passthrough (backing_id, max_stack_depth).</summary>
    public const uint MaxMinor = 40;

    /// <summary>The lowest minor we accept: 7.23 fixed the sizes of every struct we use (init_out, setattr_in).</summary>
    public const uint MinMinor = 23;

    /// <summary>FUSE_ROOT_ID.</summary>
    public const ulong RootId = 1;

    /// <summary>FUSE_MIN_READ_BUFFER.</summary>
    public const int MinReadBuffer = 8192;

    /// <summary>FUSE_GETATTR_FH.</summary>
    public const uint GetAttrFh = 1;

    /// <summary>FUSE_FSYNC_FDATASYNC.</summary>
    public const uint FsyncFdatasync = 1;

    /// <summary>FUSE_COMPAT_SETXATTR_IN_SIZE: fuse_setxattr_in without FUSE_SETXATTR_EXT.</summary>
    public const int CompatSetXAttrInSize = 8;

    /// <summary>FUSE_DEV_IOC_MAGIC.</summary>
    private const uint IocMagic = 229;

    /// <summary>FUSE_DEV_IOC_BACKING_OPEN = _IOW(229, 1, struct fuse_backing_map).</summary>
    public const uint IocBackingOpen = (1u << 30) | (16u << 16) | (IocMagic << 8) | 1;

    /// <summary>FUSE_DEV_IOC_BACKING_CLOSE = _IOW(229, 2, uint32_t).</summary>
    public const uint IocBackingClose = (1u << 30) | (4u << 16) | (IocMagic << 8) | 2;

    /// <summary>Size of fuse_in_header.</summary>
    public static int InHeaderSize => Unsafe.SizeOf<FuseInHeader>();

    /// <summary>Size of fuse_out_header.</summary>
    public static int OutHeaderSize => Unsafe.SizeOf<FuseOutHeader>();

    /// <summary>FUSE_REC_ALIGN: rounds up to a multiple of 8.</summary>
    public static int Align8(int length) => (length + 7) & ~7;

    /// <summary>
    /// Reads a struct at the start of <paramref name="payload"/>; a shorter payload (an older kernel's struct)
    /// leaves the missing tail zeroed rather than failing.
    /// </summary>
    public static T Read<T>(ReadOnlySpan<byte> payload) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (payload.Length >= size)
            return MemoryMarshal.Read<T>(payload);
        T value = default;
        payload.CopyTo(MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>Writes a struct at the start of <paramref name="destination"/> and returns its size.</summary>
    public static int Write<T>(Span<byte> destination, in T value) where T : unmanaged
    {
        MemoryMarshal.Write(destination, in value);
        return Unsafe.SizeOf<T>();
    }

    /// <summary>
    /// Takes a NUL-terminated name off the front of <paramref name="payload"/> and advances past the NUL.
    /// A missing NUL takes the rest (the kernel always sends one; this only guards against garbage).
    /// </summary>
    public static ReadOnlySpan<byte> TakeName(ref ReadOnlySpan<byte> payload)
    {
        int nul = payload.IndexOf((byte)0);
        if (nul < 0)
        {
            var all = payload;
            payload = default;
            return all;
        }
        var name = payload[..nul];
        payload = payload[(nul + 1)..];
        return name;
    }

    /// <summary>
    /// Parses a request: the header and the payload after it, without the trailing extensions
    /// (fuse_in_header.total_extlen, 7.38). Returns false when the length fields are inconsistent.
    /// </summary>
    public static bool TryParseRequest(ReadOnlySpan<byte> request, out FuseInHeader header, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (request.Length < InHeaderSize)
        {
            header = default;
            return false;
        }
        header = MemoryMarshal.Read<FuseInHeader>(request);
        int end = (int)Math.Min(header.Len, (uint)request.Length) - header.TotalExtLen * 8;
        if (header.Len < InHeaderSize || end < InHeaderSize)
            return false;
        payload = request[InHeaderSize..end];
        return true;
    }

    /// <summary>Writes a reply header for <paramref name="unique"/> with a total length of <paramref name="length"/>.</summary>
    public static void WriteReplyHeader(Span<byte> destination, ulong unique, Errno error, int length)
    {
        var header = new FuseOutHeader { Len = (uint)length, Error = -(int)error, Unique = unique };
        MemoryMarshal.Write(destination, in header);
    }
}
