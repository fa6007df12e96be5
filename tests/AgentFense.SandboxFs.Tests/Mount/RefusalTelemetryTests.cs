using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AgentFense.Fuse.Diagnostics;
using AgentFense.Policy;
using AgentFense.SandboxFs.Diagnostics;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>
/// What a refusal reports beyond the audit's old fields: the rule that decided (as it was, also after the rules are
/// replaced), the refusal counter by level and operation, and the FUSE latency histogram by opcode. The meters are
/// process-wide and other tests mount too, so measurements are matched by their tags and counted as "at least".
/// </summary>
[Trait("Requires", "Fuse")]
public sealed class RefusalTelemetryTests
{
    private static PermissionRule G(string pattern, Permission level, int priority = 0) => new(pattern, level, PatternType.Glob, priority);

    [Fact]
    public void Refusals_NameTheirRule_AreCounted_AndFuseOpsTimedByOpcode()
    {
        TestSupport.Requires.Fuse();
        var refusals = new ConcurrentBag<(string Level, string Operation)>();
        var opcodes = new ConcurrentBag<(string Opcode, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is SandboxFsMetrics.MeterName or FuseMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? level = null, operation = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "level")
                    level = (string?)tag.Value;
                else if (tag.Key == "operation")
                    operation = (string?)tag.Value;
            }
            for (var i = 0; i < value; i++)
                refusals.Add((level!, operation!));
        });
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => opcodes.Add(((string)tags[0].Value!, value)));
        listener.Start();

        using var sb = new MountedSandbox(
            [G("**/*", Permission.Read), G("docs/**", Permission.View, 10), G("**/.env*", Permission.None, 100)],
            tree => tree.File("docs/guide.md", "# Guide\n").File(".env", "TOKEN=x\n").File("src/a.py", "a\n"));
        Assert.NotEqual(0, sb.Sh("cat docs/guide.md").Code);
        Assert.NotEqual(0, sb.Sh("cat .env").Code);
        Assert.NotEqual(0, sb.Sh("rm src/a.py").Code);
        Assert.Equal(0, sb.Sh("cat src/a.py").Code);

        var audit = sb.FileSystem.Audit.Snapshot();
        Assert.Equal(G("docs/**", Permission.View, 10), audit.First(e => e.Path == "docs/guide.md" && e.Operation == "open-read").Rule);
        Assert.Equal(G("**/.env*", Permission.None, 100), audit.First(e => e.Path == ".env" && e.Operation == "lookup").Rule);
        Assert.Equal(G("**/*", Permission.Read), audit.First(e => e.Path == "src/a.py" && e.Operation == "unlink").Rule);

        // After the rules are replaced, a refusal names the new rule (not the old rule at the same index).
        sb.FileSystem.UpdatePolicy(PolicyMatcher.Compile([G("**/*", Permission.View)]));
        Assert.NotEqual(0, sb.Sh("cat src/a.py").Code);
        Assert.Equal(G("**/*", Permission.View), sb.FileSystem.Audit.Snapshot().Last(e => e.Path == "src/a.py").Rule);

        Assert.Contains(("view", "open-read"), refusals);
        Assert.Contains(("none", "lookup"), refusals);
        Assert.Contains(("read", "unlink"), refusals);
        Assert.Contains(opcodes, o => o.Opcode == "lookup" && o.Seconds > 0);
        Assert.Contains(opcodes, o => o.Opcode == "read" && o.Seconds > 0);
        Assert.Contains(opcodes, o => o.Opcode == "open");
    }
}
