using AgentFense.Policy;
using AgentFense.SandboxFs.Audit;

namespace AgentFense.SandboxFs.Tests.Audit;

public class AuditLogTests
{
    [Fact]
    public void Record_PastCapacity_KeepsNewestAndCountsAll()
    {
        var log = new AuditLog(capacity: 3);
        var seen = new List<string>();
        log.Refused += e => seen.Add(e.Path);
        for (var i = 0; i < 5; i++)
            log.Record("lookup", $"p{i}", Permission.None, i);
        Assert.Equal(5, log.TotalRefused);
        Assert.Equal(["p2", "p3", "p4"], log.Snapshot().Select(e => e.Path));
        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public void Record_Concurrent_NothingLost()
    {
        var log = new AuditLog(capacity: 100_000);
        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 1000; i++)
                log.Record("open-read", $"t{t}/{i}", Permission.View, 0);
        });
        Assert.Equal(8000, log.TotalRefused);
        Assert.Equal(8000, log.Snapshot().Select(e => e.Path).Distinct().Count());
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditLog(0));
}
