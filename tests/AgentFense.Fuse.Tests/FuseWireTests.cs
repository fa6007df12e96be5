using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse.Tests;

public class FuseWireTests
{
    [Fact]
    public void StructSizes_MatchFuseKernelHeader()
    {
        // Sizes from include/uapi/linux/fuse.h, protocol 7.40.
        Assert.Equal(40, Unsafe.SizeOf<FuseInHeader>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOutHeader>());
        Assert.Equal(88, Unsafe.SizeOf<FuseAttr>());
        Assert.Equal(128, Unsafe.SizeOf<FuseEntryOut>());
        Assert.Equal(104, Unsafe.SizeOf<FuseAttrOut>());
        Assert.Equal(88, Unsafe.SizeOf<FuseSetAttrIn>());
        Assert.Equal(80, Unsafe.SizeOf<FuseKStatFs>());
        Assert.Equal(16, Unsafe.SizeOf<FuseForgetOne>());
        Assert.Equal(64, Unsafe.SizeOf<FuseInitIn>());
        Assert.Equal(64, Unsafe.SizeOf<FuseInitOut>());
        Assert.Equal(8, Unsafe.SizeOf<FuseOpenIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOpenOut>());
        Assert.Equal(16, Unsafe.SizeOf<FuseCreateIn>());
        Assert.Equal(40, Unsafe.SizeOf<FuseReadIn>());
        Assert.Equal(40, Unsafe.SizeOf<FuseWriteIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseWriteOut>());
        Assert.Equal(24, Unsafe.SizeOf<FuseReleaseIn>());
        Assert.Equal(24, Unsafe.SizeOf<FuseFlushIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseFsyncIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseGetAttrIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseMknodIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseMkdirIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseRenameIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseRename2In>());
        Assert.Equal(8, Unsafe.SizeOf<FuseLinkIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseForgetIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseBatchForgetIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseSetXAttrIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseGetXAttrIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseGetXAttrOut>());
        Assert.Equal(8, Unsafe.SizeOf<FuseAccessIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseInterruptIn>());
        Assert.Equal(32, Unsafe.SizeOf<FuseFallocateIn>());
        Assert.Equal(24, Unsafe.SizeOf<FuseLseekIn>());
        Assert.Equal(8, Unsafe.SizeOf<FuseLseekOut>());
        Assert.Equal(56, Unsafe.SizeOf<FuseCopyFileRangeIn>());
        Assert.Equal(24, Unsafe.SizeOf<FuseDirent>());
        Assert.Equal(24, Unsafe.SizeOf<FuseNotifyInvalInodeOut>());
        Assert.Equal(16, Unsafe.SizeOf<FuseNotifyInvalEntryOut>());
        Assert.Equal(24, Unsafe.SizeOf<FuseNotifyDeleteOut>());
        Assert.Equal(16, Unsafe.SizeOf<FuseBackingMap>());
    }

    [Fact]
    public void FieldOffsets_MatchFuseKernelHeader()
    {
        Assert.Equal(48, (int)Marshal.OffsetOf<FuseAttr>(nameof(FuseAttr.ATimeNsec)));
        Assert.Equal(60, (int)Marshal.OffsetOf<FuseAttr>(nameof(FuseAttr.Mode)));
        Assert.Equal(40, (int)Marshal.OffsetOf<FuseEntryOut>(nameof(FuseEntryOut.Attr)));
        Assert.Equal(16, (int)Marshal.OffsetOf<FuseAttrOut>(nameof(FuseAttrOut.Attr)));
        Assert.Equal(36, (int)Marshal.OffsetOf<FuseInHeader>(nameof(FuseInHeader.TotalExtLen)));
        Assert.Equal(32, (int)Marshal.OffsetOf<FuseInitOut>(nameof(FuseInitOut.Flags2)));
        Assert.Equal(36, (int)Marshal.OffsetOf<FuseInitOut>(nameof(FuseInitOut.MaxStackDepth)));
        Assert.Equal(12, (int)Marshal.OffsetOf<FuseOpenOut>(nameof(FuseOpenOut.BackingId)));
        Assert.Equal(76, (int)Marshal.OffsetOf<FuseSetAttrIn>(nameof(FuseSetAttrIn.Uid)));
    }

    [Fact]
    public void TryParseRequest_LookupFixture_DecodesHeaderAndName()
    {
        // A LOOKUP of "abc" in the root, as the kernel lays it out (little-endian).
        byte[] request =
        [
            44, 0, 0, 0,  1, 0, 0, 0,                   // len 44, opcode LOOKUP
            7, 0, 0, 0, 0, 0, 0, 0,                     // unique 7
            1, 0, 0, 0, 0, 0, 0, 0,                     // nodeid 1
            0xE8, 3, 0, 0,  0xE9, 3, 0, 0,  42, 0, 0, 0, // uid 1000, gid 1001, pid 42
            0, 0, 0, 0,                                 // total_extlen, padding
            (byte)'a', (byte)'b', (byte)'c', 0,
        ];

        Assert.True(FuseWire.TryParseRequest(request, out var header, out var payload));

        Assert.Equal(FuseOpcode.Lookup, header.Opcode);
        Assert.Equal(7UL, header.Unique);
        Assert.Equal(1UL, header.NodeId);
        Assert.Equal(1000U, header.Uid);
        Assert.Equal(1001U, header.Gid);
        Assert.Equal(42U, header.Pid);
        Assert.Equal("abc"u8.ToArray(), FuseWire.TakeName(ref payload).ToArray());
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void TryParseRequest_WithExtensions_ExcludesThem()
    {
        var request = new byte[40 + 8 + 8];
        var header = new FuseInHeader { Len = (uint)request.Length, Opcode = FuseOpcode.MkDir, TotalExtLen = 1 };
        MemoryMarshal.Write(request, in header);

        Assert.True(FuseWire.TryParseRequest(request, out _, out var payload));

        Assert.Equal(8, payload.Length);
    }

    [Fact]
    public void TryParseRequest_TruncatedHeader_ReturnsFalse()
    {
        Assert.False(FuseWire.TryParseRequest(new byte[20], out _, out _));
    }

    [Fact]
    public void Read_ShortPayload_ZeroFillsTail()
    {
        // A pre-7.36 kernel sends a 16-byte fuse_init_in.
        byte[] payload = [7, 0, 0, 0, 31, 0, 0, 0, 0, 0, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF];

        var init = FuseWire.Read<FuseInitIn>(payload);

        Assert.Equal(7U, init.Major);
        Assert.Equal(31U, init.Minor);
        Assert.Equal(0x20000U, init.MaxReadahead);
        Assert.Equal(0xFFFFFFFFU, init.Flags);
        Assert.Equal(0U, init.Flags2);
    }

    [Fact]
    public void TakeName_TwoNames_SplitsAtNul()
    {
        ReadOnlySpan<byte> payload = "old\0new\0"u8;

        var first = FuseWire.TakeName(ref payload).ToArray();
        var second = FuseWire.TakeName(ref payload).ToArray();

        Assert.Equal("old"u8.ToArray(), first);
        Assert.Equal("new"u8.ToArray(), second);
    }

    [Fact]
    public void WriteReplyHeader_Error_WritesNegatedErrno()
    {
        var buffer = new byte[16];

        FuseWire.WriteReplyHeader(buffer, unique: 0x0102, Errno.ENOENT, length: 16);

        Assert.Equal(new byte[] { 16, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 2, 1, 0, 0, 0, 0, 0, 0 }, buffer);
    }

    [Fact]
    public void IoctlNumbers_MatchKernelEncoding()
    {
        // _IOW(229, 1, struct fuse_backing_map) and _IOW(229, 2, uint32_t) as glibc computes them.
        Assert.Equal(0x4010E501U, FuseWire.IocBackingOpen);
        Assert.Equal(0x4004E502U, FuseWire.IocBackingClose);
    }

    [Fact]
    public void SetEntryTimeout_FractionalSeconds_SplitsNanoseconds()
    {
        var entry = new FuseEntryOut();

        entry.SetEntryTimeout(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(1UL, entry.EntryValid);
        Assert.Equal(500_000_000U, entry.EntryValidNsec);
    }
}
