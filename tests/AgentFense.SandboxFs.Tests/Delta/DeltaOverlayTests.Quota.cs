using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void CopyUp_PastLimit_ENOSPCAndNothingChanged()
    {
        using var bed = new OverlayTestBed { SizeLimit = 1000 };
        bed.WriteLower("small", "keep me");
        bed.WriteLower("big", new string('b', 5000));
        bed.Write("small", "kept");

        Assert.Equal(Errno.ENOSPC, bed.Overlay.OpenFile("big", OverlayTestBed.O_RDWR, out _));
        Assert.Equal(Errno.ENOSPC, bed.Overlay.Rename("big", "big2"));

        Assert.Equal("kept", bed.Read("small"));
        Assert.Equal(new string('b', 5000), bed.Read("big"));
        Assert.False(File.Exists(bed.UpperPath("big")));
        Assert.False(bed.Exists("big2"));
        Assert.Equal(4, bed.Overlay.Quota.Used);
        Assert.Empty(Directory.GetFileSystemEntries(bed.UpperPath(".wh..wh..work")));
    }

    [Fact]
    public void ReserveWrite_PastLimit_ENOSPC()
    {
        using var bed = new OverlayTestBed { SizeLimit = 100 };
        Assert.Equal(Errno.Success, bed.Overlay.Create("f", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_RDWR, out var handle));
        using (handle)
        {
            Assert.Equal(Errno.Success, bed.Overlay.ReserveWrite(handle, 0, 60));
            OverlayTestBed.WriteAll(handle, new string('x', 60));
            Assert.Equal(Errno.Success, bed.Overlay.ReserveWrite(handle, 0, 60)); // overwrite: no growth
            Assert.Equal(Errno.ENOSPC, bed.Overlay.ReserveWrite(handle, 60, 41));
            Assert.Equal(Errno.Success, bed.Overlay.ReserveWrite(handle, 60, 40));
            Assert.Equal(100, bed.Overlay.Quota.Used);
            Assert.Equal(Errno.ENOSPC, bed.Overlay.ResizeFile(handle, 200));
            Assert.Equal(Errno.Success, bed.Overlay.ResizeFile(handle, 10));
        }
        Assert.Equal(10, new FileInfo(bed.UpperPath("f")).Length);
    }

    [Fact]
    public void Truncate_PastLimit_ENOSPC()
    {
        using var bed = new OverlayTestBed { SizeLimit = 100 };
        bed.WriteLower("a", "abc");

        Assert.Equal(Errno.ENOSPC, bed.Overlay.Truncate("a", 101));
        Assert.Equal(Errno.ENOSPC, bed.Overlay.Symlink("l", new string('t', 101), bed.Uid, bed.Gid));

        Assert.Equal("abc", bed.Read("a"));
    }

    [Fact]
    public void Constructor_ExistingDelta_UsageCounted()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "12345");
        bed.Write("a", "1234567");
        Assert.Equal(Errno.Success, bed.Overlay.Symlink("l", "abc", bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Link("a", "hard"));
        var used = bed.Overlay.Quota.Used;

        var reopened = bed.Reopen();

        Assert.Equal(10, used);
        Assert.Equal(used, reopened.Quota.Used);
    }

    [Fact]
    public void Discard_AfterChanges_UsageZero()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");
        bed.Write("a", "bigger content");

        Assert.Equal(Errno.Success, bed.Overlay.Discard());

        Assert.Equal(0, bed.Overlay.Quota.Used);
        Assert.Equal("x", bed.Read("a"));
        Assert.Empty(bed.Changes());
    }
}
