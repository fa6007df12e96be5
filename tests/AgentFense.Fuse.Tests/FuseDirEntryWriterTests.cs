using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse.Tests;

public class FuseDirEntryWriterTests
{
    [Fact]
    public void TryAdd_OneEntry_PacksDirentPaddedTo8()
    {
        var buffer = new byte[64];
        buffer.AsSpan().Fill(0xAA);
        var writer = new FuseDirEntryWriter(buffer, plus: false);

        Assert.True(writer.TryAdd("abcde"u8, ino: 9, mode: 0x8000 | 0x1A4, nextOffset: 3));

        Assert.Equal(32, writer.BytesWritten); // 24 + 5 rounded up to 8
        var dirent = MemoryMarshal.Read<FuseDirent>(buffer);
        Assert.Equal(9UL, dirent.Ino);
        Assert.Equal(3UL, dirent.Off);
        Assert.Equal(5U, dirent.NameLen);
        Assert.Equal(8U, dirent.Type); // DT_REG
        Assert.Equal("abcde"u8.ToArray(), buffer[24..29]);
        Assert.Equal(new byte[3], buffer[29..32]);
        Assert.Equal(0xAA, buffer[32]);
    }

    [Fact]
    public void TryAdd_BufferFull_RefusesWholeEntry()
    {
        var buffer = new byte[40];
        var writer = new FuseDirEntryWriter(buffer, plus: false);

        Assert.True(writer.TryAdd("a"u8, 2, 0x4000, 1));
        Assert.False(writer.TryAdd("b"u8, 3, 0x4000, 2));

        Assert.Equal(32, writer.BytesWritten);
    }

    [Fact]
    public void TryAdd_NameOfExactMultiple_AddsNoPadding()
    {
        var writer = new FuseDirEntryWriter(new byte[64], plus: false);

        Assert.True(writer.TryAdd("12345678"u8, 2, 0x4000, 1));

        Assert.Equal(32, writer.BytesWritten);
    }

    [Fact]
    public void TryAddPlus_OneEntry_PacksEntryOutThenDirent()
    {
        var buffer = new byte[256];
        var writer = new FuseDirEntryWriter(buffer, plus: true);
        var entry = new FuseEntryOut { NodeId = 5, Generation = 1, EntryValid = 60, Attr = new FuseAttr { Ino = 77, Mode = 0x4000 | 0x1ED } };

        Assert.True(writer.TryAddPlus("dir"u8, in entry, nextOffset: 4));

        Assert.Equal(160, writer.BytesWritten); // 128 + 24 + 3 rounded up to 8
        Assert.Equal(5UL, MemoryMarshal.Read<FuseEntryOut>(buffer).NodeId);
        var dirent = MemoryMarshal.Read<FuseDirent>(buffer.AsSpan(128));
        Assert.Equal(77UL, dirent.Ino);
        Assert.Equal(4UL, dirent.Off);
        Assert.Equal(4U, dirent.Type); // DT_DIR
        Assert.Equal("dir"u8.ToArray(), buffer[152..155]);
    }

    [Fact]
    public void TryAddPlus_BufferFull_ReturnsFalse()
    {
        var writer = new FuseDirEntryWriter(new byte[100], plus: true);

        Assert.False(writer.TryAddPlus("x"u8, new FuseEntryOut(), 1));
        Assert.True(writer.IsEmpty);
    }

    [Fact]
    public void TryAdd_InPlusMode_WritesEntryWithoutNode()
    {
        var buffer = new byte[256];
        var writer = new FuseDirEntryWriter(buffer, plus: true);

        Assert.True(writer.TryAdd("f"u8, ino: 9, mode: 0x8000, nextOffset: 1));

        Assert.Equal(160, writer.BytesWritten);
        Assert.Equal(0UL, MemoryMarshal.Read<FuseEntryOut>(buffer).NodeId);
        var dirent = MemoryMarshal.Read<FuseDirent>(buffer.AsSpan(128));
        Assert.Equal(9UL, dirent.Ino);
        Assert.Equal(8U, dirent.Type);
    }
}
