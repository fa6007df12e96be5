using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void GetAttributes_LowerOnlyFile_ServedFromLower()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("src/a.txt", "hello");

        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("src/a.txt", out var attributes));

        Assert.Equal(Layer.Lower, attributes.Layer);
        Assert.Equal(FileKind.Regular, attributes.Kind);
        Assert.Equal(5, attributes.Size);
        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("", out var root));
        Assert.Equal(FileKind.Directory, root.Kind);
    }

    [Fact]
    public void GetAttributes_RootOfFreshDelta_CodebaseRootAttributes()
    {
        using var bed = new OverlayTestBed();
        Assert.Equal(Errno.Success, HostFs.Chmod(bed.Lower, 0x1E8 /* 0750 */));
        Directory.SetLastWriteTimeUtc(bed.Lower, new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc));

        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("", out var root));

        Assert.Equal(0x1E8u, root.Permissions);
        Assert.Equal(new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc), root.ModifyTime.ToDateTimeOffset().UtcDateTime);
    }

    [Fact]
    public void Constructor_LowerRootIsSymlink_ServesItsTarget()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "via link");
        using var other = new AgentFense.TestSupport.TempDirectory();
        var link = Path.Combine(other.Path, "codebase");
        Directory.CreateSymbolicLink(link, bed.Lower);

        var overlay = new DeltaOverlay(link, Path.Combine(other.Path, "delta"));

        Assert.Equal(Errno.Success, overlay.GetAttributes("", out var root));
        Assert.Equal(FileKind.Directory, root.Kind);
        Assert.Equal(Errno.Success, overlay.GetAttributes("a.txt", out var file));
        Assert.Equal(8, file.Size);
    }

    [Fact]
    public void GetAttributes_UpperAndLower_UpperWins()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "lower");
        Directory.CreateDirectory(bed.Upper);
        File.WriteAllText(bed.UpperPath("a.txt"), "upper!");

        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("a.txt", out var attributes));

        Assert.Equal(Layer.Upper, attributes.Layer);
        Assert.Equal("upper!", bed.Read("a.txt"));
    }

    [Fact]
    public void GetAttributes_WhitedOut_ENOENT()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "x");
        Directory.CreateDirectory(bed.Upper);
        File.WriteAllText(bed.UpperPath(".wh.a.txt"), "");

        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes("a.txt", out _));
    }

    [Fact]
    public void GetAttributes_UnderDeletedDirectory_ENOENT()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/sub/f.txt", "x");
        Directory.CreateDirectory(bed.Upper);
        File.WriteAllText(bed.UpperPath(".wh.d"), "");

        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes("d", out _));
        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes("d/sub/f.txt", out _));
    }

    [Fact]
    public void GetAttributes_UnderOpaqueDirectory_LowerHidden()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/old.txt", "x");
        bed.WriteLower("d/sub/deep.txt", "x");
        Directory.CreateDirectory(bed.UpperPath("d"));
        File.WriteAllText(bed.UpperPath("d/.wh..wh..opq"), "");
        File.WriteAllText(bed.UpperPath("d/new.txt"), "n");

        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes("d/old.txt", out _));
        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes("d/sub/deep.txt", out _));
        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("d/new.txt", out _));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../etc")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a/")]
    [InlineData("a\0b")]
    public void GetAttributes_UnsafePath_EINVAL(string path)
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.EINVAL, bed.Overlay.GetAttributes(path, out _));
        Assert.Equal(Errno.EINVAL, bed.Overlay.Create(path, 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out _));
        Assert.Equal(Errno.EINVAL, bed.Overlay.Unlink(path));
    }

    [Fact]
    public void GetAttributes_ReservedName_ENOENT()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower(".wh.secret", "x");

        Assert.Equal(Errno.ENOENT, bed.Overlay.GetAttributes(".wh.secret", out _));
    }

    [Fact]
    public void GetAttributes_ThroughSymlinkComponent_NeverFollowed()
    {
        using var bed = new OverlayTestBed();
        File.CreateSymbolicLink(bed.LowerPath("etc"), "/etc");

        Assert.Equal(Errno.Success, bed.Overlay.GetAttributes("etc", out var link));
        Assert.Equal(FileKind.Symlink, link.Kind);
        Assert.Equal(Errno.ENOTDIR, bed.Overlay.GetAttributes("etc/passwd", out _));
        Assert.Equal(Errno.Success, bed.Overlay.ReadLink("etc", out var target));
        Assert.Equal("/etc", target);
    }

    [Fact]
    public void ReadDirectory_BothLayers_MergedEachNameOnce()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/a", "1");
        bed.WriteLower("d/b", "2");
        bed.MakeLowerDirectory("d/sub");
        Directory.CreateDirectory(bed.UpperPath("d"));
        File.WriteAllText(bed.UpperPath("d/b"), "upper");
        File.WriteAllText(bed.UpperPath("d/c"), "3");

        var entries = new List<DirectoryEntry>();
        Assert.Equal(Errno.Success, bed.Overlay.ReadDirectory("d", entries));

        Assert.Equal(["a", "b", "c", "sub"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Layer.Upper, entries.Single(e => e.Name == "b").Attributes.Layer);
        Assert.Equal(5, entries.Single(e => e.Name == "b").Attributes.Size);
        Assert.Equal(FileKind.Directory, entries.Single(e => e.Name == "sub").Kind);
    }

    [Fact]
    public void ReadDirectory_WhiteoutsAndMarkers_Hidden()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");
        bed.WriteLower("b", "2");
        bed.WriteLower(".wh.lowerjunk", "");
        Directory.CreateDirectory(bed.Upper);
        File.WriteAllText(bed.UpperPath(".wh.a"), "");

        Assert.Equal(["b"], bed.List(""));
    }

    [Fact]
    public void ReadDirectory_OpaqueDirectory_UpperOnly()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/a", "1");
        Directory.CreateDirectory(bed.UpperPath("d"));
        File.WriteAllText(bed.UpperPath("d/.wh..wh..opq"), "");
        File.WriteAllText(bed.UpperPath("d/z"), "");

        Assert.Equal(["z"], bed.List("d"));
    }

    [Fact]
    public void ReadDirectory_File_ENOTDIR()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");

        Assert.Equal(Errno.ENOTDIR, bed.Overlay.ReadDirectory("a", []));
    }
}
