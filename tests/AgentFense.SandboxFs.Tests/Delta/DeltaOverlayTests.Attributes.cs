using System.Text;
using AgentFense.SandboxFs.Delta;
using AgentFense.TestSupport;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void Chmod_LowerFile_CopiedUpAndChanged()
    {
        using var bed = new OverlayTestBed();
        var lower = bed.WriteLower("run.sh", "#!/bin/sh");
        Assert.Equal(Errno.Success, HostFs.Chmod(lower, 0x1A4));

        Assert.Equal(Errno.Success, bed.Overlay.Chmod("run.sh", 0x1ED));

        Assert.Equal(0x1EDu, Attributes(bed, "run.sh").Permissions);
        Assert.Equal(0x1A4u, ModeOf(lower));
        Assert.Equal("#!/bin/sh", bed.Read("run.sh"));
    }

    [Fact]
    public void Chmod_Symlink_EOPNOTSUPP()
    {
        using var bed = new OverlayTestBed();
        File.CreateSymbolicLink(bed.LowerPath("l"), "/etc/passwd");

        Assert.Equal(Errno.EOPNOTSUPP, bed.Overlay.Chmod("l", 0x1FF));
    }

    [Fact]
    [Trait("Requires", "Root")]
    public void Chown_LowerFile_CopiedUpAndChanged()
    {
        Requires.Root();
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");
        File.CreateSymbolicLink(bed.LowerPath("l"), "a");

        Assert.Equal(Errno.Success, bed.Overlay.Chown("a", 1000, uint.MaxValue));
        Assert.Equal(Errno.Success, bed.Overlay.Chown("l", 42, 43));

        Assert.Equal(1000u, Attributes(bed, "a").Uid);
        Assert.Equal(0u, Attributes(bed, "a").Gid);
        Assert.Equal(42u, Attributes(bed, "l").Uid);
        Assert.Equal(FileKind.Symlink, Attributes(bed, "l").Kind);
        Assert.Equal(1000u, Attributes(bed, "a").Uid); // the link was not followed
        Assert.Equal(Errno.Success, HostFs.Lstat(bed.LowerPath("a"), out var lower));
        Assert.Equal(0u, lower.stx_uid);
    }

    [Fact]
    public void Truncate_LowerFile_ShrinksAndGrows()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "0123456789");

        Assert.Equal(Errno.Success, bed.Overlay.Truncate("a", 4));
        Assert.Equal("0123", bed.Read("a"));
        Assert.Equal(Errno.Success, bed.Overlay.Truncate("a", 6));

        Assert.Equal("0123\0\0", bed.Read("a"));
        Assert.Equal(6, bed.Overlay.Quota.Used);
        Assert.Equal("0123456789", File.ReadAllText(bed.LowerPath("a")));
        Assert.Equal(Errno.EISDIR, bed.Overlay.Truncate("", 0));
    }

    [Fact]
    public void SetTimes_LowerFile_CopiedUpWithNewTimes()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");
        var when = new UnixTime(1_000_000_000, 123_456_789);

        Assert.Equal(Errno.Success, bed.Overlay.SetTimes("a", TimeUpdate.Omit, TimeUpdate.To(when)));

        Assert.Equal(when, Attributes(bed, "a").ModifyTime);
        Assert.Equal(Layer.Upper, Attributes(bed, "a").Layer);
    }

    [Fact]
    public void Xattr_SetGetListRemove_CopyUpOnChange()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");

        Assert.Equal(Errno.ENODATA, bed.Overlay.GetXattr("a", "user.tag", out _));
        Assert.Equal(Errno.ENODATA, bed.Overlay.RemoveXattr("a", "user.tag"));
        Assert.False(File.Exists(bed.UpperPath("a")));

        Assert.Equal(Errno.Success, bed.Overlay.SetXattr("a", "user.tag", "v1"u8));
        Assert.Equal(Errno.Success, bed.Overlay.GetXattr("a", "user.tag", out var value));
        Assert.Equal("v1", Encoding.UTF8.GetString(value));
        var names = new List<string>();
        Assert.Equal(Errno.Success, bed.Overlay.ListXattr("a", names));
        Assert.Equal(["user.tag"], names); // the baseline xattr stays hidden
        Assert.Equal(Errno.Success, bed.Overlay.RemoveXattr("a", "user.tag"));
        Assert.Equal(Errno.ENODATA, bed.Overlay.GetXattr("a", "user.tag", out _));
        Assert.Equal(Errno.ENODATA, HostFs.GetXattr(bed.LowerPath("a"), "user.tag", out _));
    }

    [Fact]
    public void Xattr_EngineNames_Refused()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");
        bed.Write("a", "y");

        Assert.Equal(Errno.ENODATA, bed.Overlay.GetXattr("a", Baseline.XattrName, out _));
        Assert.Equal(Errno.EPERM, bed.Overlay.SetXattr("a", Baseline.XattrName, "1 2 3 4 5"u8));
        Assert.Equal(Errno.EPERM, bed.Overlay.RemoveXattr("a", Baseline.XattrName));
    }
}
