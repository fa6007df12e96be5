using AgentFense.Server.Audit;
using AgentFense.Server.Storage;
using AgentFense.TestSupport;

namespace AgentFense.Server.Tests;

/// <summary>The audit table on a real SQLite file: batches, the per-sandbox bound, paging by sequence, filters, retention.</summary>
public sealed class AuditStoreTests
{
    private static AuditEvent Command(string sandbox, int i, DateTimeOffset time) =>
        new(sandbox, time, AuditKind.Command) { Command = $"cmd {i}", ExitCode = i, Outcome = "exit_nonzero", Duration = TimeSpan.FromMilliseconds(i) };

    [Fact]
    public void Append_TrimsEachSandboxToItsBound_PagesBySequence_FiltersByTimeAndKind()
    {
        using var directory = new TempDirectory("agentfense-audit-");
        var path = Path.Combine(directory.Path, "agentfense.db");
        _ = new MetadataStore(path);
        var store = new AuditStore(path);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        store.Append([.. Enumerable.Range(0, 30).Select(i => Command("sb_a", i, t0.AddSeconds(i))), Command("sb_b", 99, t0)], maxPerSandbox: 10);
        store.Append([new AuditEvent("sb_a", t0.AddSeconds(30), AuditKind.Refusal) { Operation = "lookup", Path = ".env", Level = Policy.Permission.None,
            Rule = new Policy.PermissionRule("**/.env*", Policy.Permission.None, Policy.PatternType.Glob, 100) }], maxPerSandbox: 10);

        Assert.Equal(10, store.Count("sb_a"));
        Assert.Equal(1, store.Count("sb_b"));
        var all = store.Query("sb_a", 0, null, null, null, 100);
        Assert.Equal([.. Enumerable.Range(21, 9).Select(i => $"cmd {i}"), ""], all.Select(e => e.Command));
        var refusal = all[^1];
        Assert.Equal(("lookup", ".env", 100), (refusal.Operation, refusal.Path, refusal.Rule!.Priority));
        Assert.Equal(t0.AddSeconds(30), refusal.Time);

        var page1 = store.Query("sb_a", 0, null, null, null, 4);
        var page2 = store.Query("sb_a", page1[^1].Sequence, null, null, null, 4);
        Assert.Equal(all[..8], [.. page1, .. page2]);
        Assert.Equal(["cmd 25", "cmd 26"], store.Query("sb_a", 0, t0.AddSeconds(25), t0.AddSeconds(27), AuditKind.Command, 100).Select(e => e.Command));
        Assert.Single(store.Query("sb_a", 0, null, null, AuditKind.Refusal, 100));
        Assert.Equal(["cmd 29", ""], store.Query("sb_a", 0, null, null, null, 2, newest: true).Select(e => e.Command));

        store.MarkDestroyed("sb_a", "alice", t0);
        Assert.Equal("alice", store.DestroyedOwner("sb_a"));
        Assert.Null(store.DestroyedOwner("sb_b"));
        Assert.Equal(0, store.PurgeDestroyedBefore(t0));
        Assert.Equal(10, store.PurgeDestroyedBefore(t0.AddTicks(10)));
        Assert.Equal(0, store.Count("sb_a"));
        Assert.Equal(1, store.Count("sb_b"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
