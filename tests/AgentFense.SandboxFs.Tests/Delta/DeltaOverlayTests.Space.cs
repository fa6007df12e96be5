using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void GetSpace_WithLimit_CappedByQuota()
    {
        using var bed = new OverlayTestBed { SizeLimit = 1 << 20 };
        bed.WriteLower("a", "x");
        bed.Write("a", new string('y', 4096));

        Assert.Equal(Errno.Success, bed.Overlay.GetSpace(out var space));

        Assert.Equal((1 << 20) / space.BlockSize, (long)space.TotalBlocks);
        Assert.Equal(((1 << 20) - 4096) / space.BlockSize, (long)space.AvailableBlocks);
        Assert.Equal(251, space.NameMax);
    }

    [Fact]
    public void GetSpace_Unlimited_HostFigures()
    {
        using var bed = new OverlayTestBed();

        Assert.Equal(Errno.Success, bed.Overlay.GetSpace(out var space));

        Assert.True(space.TotalBlocks > 0);
        Assert.True(space.BlockSize > 0);
    }
}
