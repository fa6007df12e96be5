using System.Formats.Tar;
using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void Commit_FileReplacedByDirectoryAndBack_TypesSwappedInCodebase()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("was-file", "f");
        bed.WriteLower("was-dir/inner", "i");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("was-file"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("was-file", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Create("was-file/child", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
        handle.Dispose();
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("was-dir/inner"));
        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("was-dir"));
        Assert.Equal(Errno.Success, bed.Overlay.Create("was-dir", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out handle));
        using (handle)
            OverlayTestBed.WriteAll(handle, "now a file");

        Assert.Equal(
            [
                new DeltaChange("was-dir", ChangeKind.Modified, FileKind.Regular, 10),
                new DeltaChange("was-file", ChangeKind.Modified, FileKind.Directory, 0),
                new DeltaChange("was-file/child", ChangeKind.Added, FileKind.Regular, 0),
            ],
            bed.Changes());
        Assert.Equal(Errno.Success, bed.Overlay.Commit(out _));

        Assert.Equal("now a file", File.ReadAllText(bed.LowerPath("was-dir")));
        Assert.True(File.Exists(bed.LowerPath("was-file/child")));
    }

    [Fact]
    public void ExportTar_DeletedDirectory_SingleWhiteout()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("top/gone/a", "1");
        bed.WriteLower("top/gone/b", "2");
        bed.WriteLower("top/stay", "3");
        Assert.Equal(Errno.Success, bed.Overlay.Rename("top/gone", "moved"));

        var entries = ReadTar(bed);

        Assert.Equal(["moved/", "moved/a", "moved/b", "top/", "top/.wh.gone"], entries.Keys);
        Assert.Equal(TarEntryType.RegularFile, entries["top/.wh.gone"].Type);
        Assert.Equal("2", entries["moved/b"].Content);
    }

    [Fact]
    public void Xattr_LowerDirectory_CopiedUpDirectoryOnly()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/big", new string('x', 10_000));

        Assert.Equal(Errno.Success, bed.Overlay.SetXattr("d", "user.k", "v"u8));

        Assert.Equal(Errno.Success, bed.Overlay.GetXattr("d", "user.k", out var value));
        Assert.Equal("v"u8.ToArray(), value);
        Assert.False(File.Exists(bed.UpperPath("d/big")));
        Assert.Equal(["big"], bed.List("d"));
        Assert.Equal(0, bed.Overlay.Quota.Used);
    }
}
