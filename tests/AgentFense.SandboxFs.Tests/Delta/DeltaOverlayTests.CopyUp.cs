using System.Text;
using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    private static readonly DateTime s_old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void OpenFile_ForWrite_CopiesUpContentModeAndTimes()
    {
        using var bed = new OverlayTestBed();
        var lower = bed.WriteLower("src/app.py", "print('hi')\n");
        Assert.Equal(Errno.Success, HostFs.Chmod(lower, 0x1E0 /* 0740 */));
        File.SetLastWriteTimeUtc(lower, s_old);

        Assert.Equal(Errno.Success, bed.Overlay.OpenFile("src/app.py", OverlayTestBed.O_RDWR, out var handle));
        handle.Dispose();

        var upper = bed.UpperPath("src/app.py");
        Assert.Equal("print('hi')\n", File.ReadAllText(upper));
        Assert.Equal(0x1E0u, ModeOf(upper));
        Assert.Equal(s_old, File.GetLastWriteTimeUtc(upper));
        Assert.Equal(Layer.Upper, Attributes(bed, "src/app.py").Layer);
        Assert.Empty(Directory.GetFileSystemEntries(bed.UpperPath(".wh..wh..work")));
    }

    [Fact]
    public void OpenFile_Write_LowerNeverModified()
    {
        using var bed = new OverlayTestBed();
        var lower = bed.WriteLower("a.txt", "original");

        bed.Write("a.txt", "changed");

        Assert.Equal("original", File.ReadAllText(lower));
        Assert.Equal("changed", bed.Read("a.txt"));
    }

    [Fact]
    public void OpenFile_ReadOnly_NoCopyUp()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "x");

        Assert.Equal("x", bed.Read("a.txt"));

        Assert.False(File.Exists(bed.UpperPath("a.txt")));
    }

    [Fact]
    public void OpenFile_Truncate_ContentNotCopied()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("big.bin", new string('x', 100_000));
        bed.SizeLimit = 10;

        Assert.Equal(Errno.Success, bed.Overlay.OpenFile("big.bin", OverlayTestBed.O_WRONLY | OverlayTestBed.O_TRUNC, out var handle));
        handle.Dispose();

        Assert.Equal(0, new FileInfo(bed.UpperPath("big.bin")).Length);
        Assert.Equal(0, bed.Overlay.Quota.Used);
    }

    [Fact]
    public void CopyUp_NestedFile_ParentsTakeLowerMetadata()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a/b/c.txt", "x");
        Assert.Equal(Errno.Success, HostFs.Chmod(bed.LowerPath("a/b"), 0x1E8 /* 0750 */));
        Directory.SetLastWriteTimeUtc(bed.LowerPath("a/b"), s_old);

        Assert.Equal(Errno.Success, bed.Overlay.CopyUp("a/b/c.txt"));

        Assert.Equal(0x1E8u, ModeOf(bed.UpperPath("a/b")));
        Assert.Equal(s_old, Directory.GetLastWriteTimeUtc(bed.UpperPath("a/b")));
        Assert.True(File.Exists(bed.UpperPath("a/b/c.txt")));
        Assert.Equal(Layer.Upper, Attributes(bed, "a/b").Layer);
    }

    [Fact]
    public void CopyUp_Symlink_CopiedAsLink()
    {
        using var bed = new OverlayTestBed();
        File.CreateSymbolicLink(bed.LowerPath("passwd"), "/etc/passwd");

        Assert.Equal(Errno.Success, bed.Overlay.CopyUp("passwd"));

        var info = new FileInfo(bed.UpperPath("passwd"));
        Assert.Equal("/etc/passwd", info.LinkTarget);
        Assert.Equal(FileKind.Symlink, Attributes(bed, "passwd").Kind);
    }

    [Fact]
    public void CopyUp_HardLinkedLowerFiles_SeparateCopies()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("one", "same");
        Assert.Equal(Errno.Success, HostFs.Link(bed.LowerPath("one"), bed.LowerPath("two")));

        bed.Write("one", "changed");

        Assert.Equal("same", bed.Read("two"));
        Assert.Equal("same", File.ReadAllText(bed.LowerPath("one")));
    }

    [Fact]
    public void CopyUp_Xattrs_Preserved()
    {
        using var bed = new OverlayTestBed();
        var lower = bed.WriteLower("a", "x");
        Assert.Equal(Errno.Success, HostFs.SetXattr(lower, "user.color", "blue"u8, 0));

        Assert.Equal(Errno.Success, bed.Overlay.CopyUp("a"));

        Assert.Equal(Errno.Success, HostFs.GetXattr(bed.UpperPath("a"), "user.color", out var value));
        Assert.Equal("blue", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void CopyUp_Missing_ENOENT()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.ENOENT, bed.Overlay.CopyUp("nope"));
        Assert.Equal(Errno.ENOENT, bed.Overlay.OpenFile("nope", OverlayTestBed.O_RDWR, out _));
    }

    [Fact]
    public void OpenFile_DirectoryForWrite_EISDIR()
    {
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("d");

        Assert.Equal(Errno.EISDIR, bed.Overlay.OpenFile("d", OverlayTestBed.O_RDWR, out _));
    }

    [Fact]
    public void Constructor_LeftoverWorkFiles_Removed()
    {
        using var bed = new OverlayTestBed();
        _ = bed.Overlay;
        File.WriteAllText(bed.UpperPath(".wh..wh..work/half-copied"), "partial");

        bed.Reopen();

        Assert.Empty(Directory.GetFileSystemEntries(bed.UpperPath(".wh..wh..work")));
    }

    private static uint ModeOf(string hostPath)
    {
        Assert.Equal(Errno.Success, HostFs.Lstat(hostPath, out var st));
        return st.stx_mode & 0xFFFu;
    }

    private static EntryAttributes Attributes(OverlayTestBed bed, string path)
    {
        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes(path, out var attributes));
        return attributes;
    }
}
