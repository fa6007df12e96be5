using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void Unlink_LowerFile_WhiteoutRecorded()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");

        Assert.Equal(Errno.Success, bed.Overlay.Unlink("a"));

        Assert.False(bed.Exists("a"));
        Assert.True(File.Exists(bed.UpperPath(".wh.a")));
        Assert.True(File.Exists(bed.LowerPath("a")));
        Assert.Empty(bed.List(""));
    }

    [Fact]
    public void Unlink_CopiedUpFile_WhiteoutAndNoUpperCopy()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");
        bed.Write("a", "changed");

        Assert.Equal(Errno.Success, bed.Overlay.Unlink("a"));

        Assert.False(bed.Exists("a"));
        Assert.False(File.Exists(bed.UpperPath("a")));
        Assert.Equal(0, bed.Overlay.Quota.Used);
    }

    [Fact]
    public void Unlink_UpperOnlyFile_NoWhiteout()
    {
        using var bed = new OverlayTestBed();
        Assert.Equal(Errno.Success, bed.Overlay.MakeNode("n", 0x1A4, 0, bed.Uid, bed.Gid));

        Assert.Equal(Errno.Success, bed.Overlay.Unlink("n"));

        Assert.False(bed.Exists("n"));
        Assert.False(File.Exists(bed.UpperPath(".wh.n")));
    }

    [Fact]
    public void Unlink_Directory_EISDIR()
    {
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("d");

        Assert.Equal(Errno.EISDIR, bed.Overlay.Unlink("d"));
        Assert.Equal(Errno.ENOENT, bed.Overlay.Unlink("missing"));
    }

    [Fact]
    public void RemoveDirectory_NonEmptyMerged_ENOTEMPTY()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/a", "x");

        Assert.Equal(Errno.ENOTEMPTY, bed.Overlay.RemoveDirectory("d"));
        Assert.Equal(Errno.ENOTDIR, bed.Overlay.RemoveDirectory("d/a"));
    }

    [Fact]
    public void RemoveDirectory_LowerChildrenDeleted_DirectoryGone()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/a", "x");
        bed.WriteLower("d/b", "x");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("d/a"));
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("d/b"));

        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("d"));

        Assert.False(bed.Exists("d"));
        Assert.False(bed.Exists("d/a"));
        Assert.True(File.Exists(bed.UpperPath(".wh.d")));
        Assert.False(Directory.Exists(bed.UpperPath("d")));
        Assert.Empty(bed.List(""));
    }
}
