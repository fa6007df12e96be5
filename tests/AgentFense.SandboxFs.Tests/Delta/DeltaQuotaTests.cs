using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed class DeltaQuotaTests
{
    [Fact]
    public void TryReserve_WithinLimit_Charged()
    {
        var quota = new DeltaQuota(100);

        Assert.Equal(Errno.Success, quota.TryReserve(100));

        Assert.Equal(100, quota.Used);
        Assert.Equal(0, quota.Available);
    }

    [Fact]
    public void TryReserve_PastLimit_ENOSPCNothingCharged()
    {
        var quota = new DeltaQuota(100);
        Assert.Equal(Errno.Success, quota.TryReserve(60));

        Assert.Equal(Errno.ENOSPC, quota.TryReserve(41));

        Assert.Equal(60, quota.Used);
    }

    [Fact]
    public void Release_MoreThanUsed_StopsAtZero()
    {
        var quota = new DeltaQuota();
        Assert.Equal(Errno.Success, quota.TryReserve(10));

        quota.Release(50);

        Assert.Equal(0, quota.Used);
    }

    [Fact]
    public void TryReserve_ManyThreads_NeverPastLimit()
    {
        var quota = new DeltaQuota(10_000);
        var granted = 0;

        Parallel.For(0, 20_000, _ =>
        {
            if (quota.TryReserve(1) == Errno.Success)
                Interlocked.Increment(ref granted);
        });

        Assert.Equal(10_000, granted);
        Assert.Equal(10_000, quota.Used);
    }
}
