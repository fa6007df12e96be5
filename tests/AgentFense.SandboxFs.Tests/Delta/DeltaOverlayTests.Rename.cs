using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void Rename_LowerFile_CopiedUpAndSourceWhitedOut()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "content");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("a.txt", "b.txt"));

        Assert.False(bed.Exists("a.txt"));
        Assert.Equal("content", bed.Read("b.txt"));
        Assert.True(File.Exists(bed.UpperPath(".wh.a.txt")));
        Assert.True(File.Exists(bed.LowerPath("a.txt")));
        Assert.Equal(["b.txt"], bed.List(""));
    }

    [Fact]
    public void Rename_LowerDirectoryTree_WholeTreeMoved()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("src/a.txt", "a");
        bed.WriteLower("src/deep/b.txt", "b");
        bed.WriteLower("src/deep/gone.txt", "g");
        File.CreateSymbolicLink(bed.LowerPath("src/link"), "a.txt");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("src/deep/gone.txt"));
        bed.Write("src/a.txt", "a2");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("src", "lib"));

        Assert.False(bed.Exists("src"));
        Assert.False(bed.Exists("src/a.txt"));
        Assert.Equal(["a.txt", "deep", "link"], bed.List("lib"));
        Assert.Equal(["b.txt"], bed.List("lib/deep"));
        Assert.Equal("a2", bed.Read("lib/a.txt"));
        Assert.Equal("b", bed.Read("lib/deep/b.txt"));
        Assert.Equal(FileKind.Symlink, Attributes(bed, "lib/link").Kind);
        Assert.True(File.Exists(bed.UpperPath(".wh.src")));
        Assert.True(File.Exists(bed.LowerPath("src/deep/gone.txt")));
        Assert.Equal(["lib"], bed.List(""));
    }

    [Fact]
    public void Rename_UpperDirectory_OpenHandleFollows()
    {
        using var bed = new OverlayTestBed();
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("d", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Create("d/f", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));

        using (handle)
        {
            Assert.Equal(Errno.Success, bed.Overlay.Rename("d", "e"));
            OverlayTestBed.WriteAll(handle, "written after the rename");
        }

        Assert.Equal("written after the rename", bed.Read("e/f"));
    }

    [Fact]
    public void Rename_NoReplaceOverExisting_EEXIST()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");
        bed.WriteLower("b", "2");

        Assert.Equal(Errno.EEXIST, bed.Overlay.Rename("a", "b", RenameFlags.NoReplace));

        Assert.Equal("1", bed.Read("a"));
        Assert.Equal("2", bed.Read("b"));
        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "c", RenameFlags.NoReplace));
        Assert.Equal("1", bed.Read("c"));
    }

    [Fact]
    public void Rename_OverExistingLowerFile_Replaced()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "new");
        bed.WriteLower("b", "old");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "b"));

        Assert.Equal("new", bed.Read("b"));
        Assert.False(bed.Exists("a"));
        Assert.Equal(["b"], bed.List(""));
    }

    [Fact]
    public void Rename_ExchangeLowerFiles_Swapped()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "A");
        bed.WriteLower("d/b", "B");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "d/b", RenameFlags.Exchange));

        Assert.Equal("B", bed.Read("a"));
        Assert.Equal("A", bed.Read("d/b"));
        Assert.Equal("A", File.ReadAllText(bed.LowerPath("a")));
    }

    [Fact]
    public void Rename_ExchangeFileAndDirectory_Swapped()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("f", "F");
        bed.WriteLower("d/inside", "I");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("f", "d", RenameFlags.Exchange));

        Assert.Equal("F", bed.Read("d"));
        Assert.Equal(["inside"], bed.List("f"));
        Assert.Equal("I", bed.Read("f/inside"));
    }

    [Fact]
    public void Rename_ExchangeMissingTarget_ENOENT()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "A");

        Assert.Equal(Errno.ENOENT, bed.Overlay.Rename("a", "b", RenameFlags.Exchange));
        Assert.Equal(Errno.EINVAL, bed.Overlay.Rename("a", "b", RenameFlags.Exchange | RenameFlags.NoReplace));
    }

    [Fact]
    public void Rename_DirectoryOverNonEmptyDirectory_ENOTEMPTY()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a/x", "1");
        bed.WriteLower("b/y", "2");

        Assert.Equal(Errno.ENOTEMPTY, bed.Overlay.Rename("a", "b"));
        Assert.Equal("2", bed.Read("b/y"));
    }

    [Fact]
    public void Rename_DirectoryOverEmptiedLowerDirectory_LowerContentStaysHidden()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a/x", "1");
        bed.WriteLower("b/y", "2");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("b/y"));

        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "b"));

        Assert.Equal(["x"], bed.List("b"));
        Assert.False(bed.Exists("b/y"));
        Assert.False(bed.Exists("a"));
    }

    [Fact]
    public void Rename_TypeMismatch_ENOTDIRorEISDIR()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("f", "1");
        bed.MakeLowerDirectory("d");

        Assert.Equal(Errno.ENOTDIR, bed.Overlay.Rename("d", "f"));
        Assert.Equal(Errno.EISDIR, bed.Overlay.Rename("f", "d"));
    }

    [Fact]
    public void Rename_DirectoryIntoItself_EINVAL()
    {
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("d/sub");

        Assert.Equal(Errno.EINVAL, bed.Overlay.Rename("d", "d/sub/inner"));
        Assert.Equal(Errno.ENOTEMPTY, bed.Overlay.Rename("d/sub", "d"));
    }

    [Fact]
    public void Rename_Errors_ReportedWithoutChanges()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");

        Assert.Equal(Errno.ENOENT, bed.Overlay.Rename("missing", "b"));
        Assert.Equal(Errno.ENOENT, bed.Overlay.Rename("a", "no/such/b"));
        Assert.Equal(Errno.EPERM, bed.Overlay.Rename("a", ".wh.b"));
        Assert.Equal(Errno.EBUSY, bed.Overlay.Rename("", "b"));
        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "a"));
        Assert.Empty(bed.Changes());
    }

    [Fact]
    public void Rename_BackToOriginalName_LowerFileVisibleAgainAsCopy()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");

        Assert.Equal(Errno.Success, bed.Overlay.Rename("a", "b"));
        Assert.Equal(Errno.Success, bed.Overlay.Rename("b", "a"));

        Assert.Equal("1", bed.Read("a"));
        Assert.False(bed.Exists("b"));
        Assert.False(File.Exists(bed.UpperPath(".wh.a")));
        Assert.Empty(bed.Changes());
    }
}
