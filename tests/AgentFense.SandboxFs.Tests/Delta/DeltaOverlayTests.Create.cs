using AgentFense.SandboxFs.Delta;
using AgentFense.TestSupport;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    [Trait("Requires", "Root")]
    public void Create_NewFile_OwnedByCallerWithExactMode()
    {
        Requires.Root();
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("src");

        Assert.Equal(Errno.Success, bed.Overlay.Create("src/new.txt", 0x1A0 /* 0640 */, 1234, 5678, OverlayTestBed.O_WRONLY, out var handle));
        using (handle)
            OverlayTestBed.WriteAll(handle, "fresh");

        var attributes = Attributes(bed, "src/new.txt");
        Assert.Equal(1234u, attributes.Uid);
        Assert.Equal(5678u, attributes.Gid);
        Assert.Equal(0x1A0u, attributes.Permissions);
        Assert.Equal("fresh", bed.Read("src/new.txt"));
        Assert.False(File.Exists(bed.LowerPath("src/new.txt")));
    }

    [Fact]
    public void Create_ReservedName_EPERM()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.EPERM, bed.Overlay.Create(".wh.x", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out _));
        Assert.Equal(Errno.EPERM, bed.Overlay.MakeDirectory(".wh..wh..opq", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.EPERM, bed.Overlay.Symlink(".wh.l", "/etc", bed.Uid, bed.Gid));
    }

    [Fact]
    public void Create_Existing_EEXIST()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");

        Assert.Equal(Errno.EEXIST, bed.Overlay.Create("a", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out _));
        Assert.Equal(Errno.EEXIST, bed.Overlay.MakeDirectory("a", 0x1ED, bed.Uid, bed.Gid));
    }

    [Fact]
    public void Create_MissingParent_ENOENT()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.ENOENT, bed.Overlay.Create("no/such", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out _));
    }

    [Fact]
    public void Create_OverWhiteout_WhiteoutRemoved()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "old");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("a"));
        Assert.True(File.Exists(bed.UpperPath(".wh.a")));

        Assert.Equal(Errno.Success, bed.Overlay.Create("a", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
        using (handle)
            OverlayTestBed.WriteAll(handle, "new");

        Assert.False(File.Exists(bed.UpperPath(".wh.a")));
        Assert.Equal("new", bed.Read("a"));
    }

    [Fact]
    public void MakeDirectory_WhereLowerDirectoryDeleted_Opaque()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/inner.txt", "x");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("d/inner.txt"));
        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("d"));
        bed.WriteLower("d/appeared-later.txt", "x");

        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("d", 0x1ED, bed.Uid, bed.Gid));

        Assert.True(File.Exists(bed.UpperPath("d/.wh..wh..opq")));
        Assert.False(File.Exists(bed.UpperPath(".wh.d")));
        Assert.Empty(bed.List("d"));
    }

    [Fact]
    public void MakeDirectory_New_NotOpaque()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("d", 0x1C0, bed.Uid, bed.Gid));

        Assert.False(File.Exists(bed.UpperPath("d/.wh..wh..opq")));
        Assert.Equal(0x1C0u, Attributes(bed, "d").Permissions);
        Assert.Equal(FileKind.Directory, Attributes(bed, "d").Kind);
    }

    [Fact]
    public void MakeNode_Fifo_Created()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.Success, bed.Overlay.MakeNode("pipe", 0x1000 | 0x1A4, 0, bed.Uid, bed.Gid));

        Assert.Equal(FileKind.Fifo, Attributes(bed, "pipe").Kind);
        Assert.Equal(0x1A4u, Attributes(bed, "pipe").Permissions);
    }

    [Fact]
    public void MakeNode_Regular_EmptyFile()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.Success, bed.Overlay.MakeNode("f", 0x1A4, 0, bed.Uid, bed.Gid));

        Assert.Equal(FileKind.Regular, Attributes(bed, "f").Kind);
        Assert.Equal(Errno.EINVAL, bed.Overlay.MakeNode("g", 0x4000 | 0x1ED, 0, bed.Uid, bed.Gid));
    }

    [Fact]
    public void Symlink_New_StoredAsGiven()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.Success, bed.Overlay.Symlink("link", "../outside/target", bed.Uid, bed.Gid));

        Assert.Equal(FileKind.Symlink, Attributes(bed, "link").Kind);
        Assert.Equal(Errno.Success, bed.Overlay.ReadLink("link", out var target));
        Assert.Equal("../outside/target", target);
    }

    [Fact]
    public void Link_LowerFile_CopiedUpThenLinked()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "data");

        Assert.Equal(Errno.Success, bed.Overlay.Link("a", "b"));

        var a = Attributes(bed, "a");
        var b = Attributes(bed, "b");
        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(2u, b.LinkCount);
        Assert.Equal(Layer.Upper, a.Layer);
        Assert.Equal(1u, (uint)new FileInfo(bed.LowerPath("a")).Length / 4);
        bed.Write("b", "both");
        Assert.Equal("both", bed.Read("a"));
        Assert.Equal("data", File.ReadAllText(bed.LowerPath("a")));
    }

    [Fact]
    public void Link_Directory_EPERM()
    {
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("d");

        Assert.Equal(Errno.EPERM, bed.Overlay.Link("d", "e"));
    }
}
