using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentFense.Engine.Diagnostics;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Diagnostics;
using AgentFense.Runtime.Init;
using AgentFense.SandboxFs;
using AgentFense.SandboxFs.Audit;

namespace AgentFense.Engine;

/// <summary>
/// What the manager tells observers: refusals and commands as events (the server's audit trail), metrics and spans
/// (<see cref="EngineMetrics"/>, <see cref="EngineTracing"/>).
/// </summary>
public sealed partial class SandboxManager
{
    /// <summary>
    /// Raised for every operation a running sandbox's filesystem refused, with the sandbox id; on the filesystem's
    /// thread, so handlers must only hand the entry on (no I/O) and must not throw.
    /// </summary>
    public event Action<string, AuditEntry>? Refused;

    /// <summary>
    /// Raised for every command a running sandbox's box ran (execs and session commands) once it ended, with the
    /// sandbox id; on the init client's receiving thread, so handlers must be short and must not throw.
    /// </summary>
    public event Action<SandboxCommand>? CommandEnded;

    /// <summary>Raised once a sandbox was destroyed (its id), before the destroy call returns.</summary>
    public event Action<string>? Destroyed;

    /// <summary>Hooks a freshly started sandbox's mount and box to the events and metrics; the caller holds the gate.</summary>
    private void AttachTelemetry(SandboxEntry entry, SandboxMount mount, Box box)
    {
        var id = entry.Id;
        var runtime = _registry.TryGet(id, out var record) ? RuntimeNameOf(record.Spec) : Runtime.Name;
        entry.RuntimeName = runtime;
        mount.FileSystem.Audit.Refused += refusal => Refused?.Invoke(id, refusal);
        box.Client.CommandEnded += record =>
        {
            var outcome = OutcomeOf(entry, box, record);
            EngineMetrics.CommandDuration.Record(record.Duration.TotalSeconds,
                new KeyValuePair<string, object?>("runtime", runtime), new KeyValuePair<string, object?>("outcome", outcome));
            CommandEnded?.Invoke(new SandboxCommand(id, record, outcome));
        };
        entry.Stats = new BoxStatsReader(box);
        entry.OomKillsSeen = 0;
    }

    /// <summary>Closes what <see cref="AttachTelemetry"/> opened; the caller holds the gate.</summary>
    private static void DetachTelemetry(SandboxEntry entry)
    {
        var stats = entry.Stats;
        entry.Stats = null;
        if (stats is not null)
        {
            lock (stats)
                stats.Dispose();
        }
    }

    /// <summary>
    /// A command's outcome label: <c>exit_zero</c>, <c>exit_nonzero</c>, <c>timeout</c>, <c>oom</c> (killed while the
    /// box's OOM-kill count rose), <c>killed</c> (another signal or a cancel), or <c>failed</c> (never ran).
    /// </summary>
    private void OnDestroyed(string id)
    {
        try
        {
            Destroyed?.Invoke(id);
        }
        catch (Exception e)
        {
            // The sandbox is gone either way; an observer's failure must not turn the destroy into an error.
            Log($"sandbox {id}: a destroy observer failed: {e.Message}");
        }
    }

    internal static string OutcomeOf(SandboxEntry entry, Box box, CommandRecord record)
    {
        if (record.Exit is not { } exit)
            return "failed";
        if ((exit.Flags & ExitFlags.TimedOut) != 0)
            return "timeout";
        if (exit.Signal == 9 || exit.ShellExitCode == 137)
        {
            var kills = SafeOomKills(box);
            if (kills > Interlocked.Exchange(ref entry.OomKillsSeen, Math.Max(kills, Volatile.Read(ref entry.OomKillsSeen))))
                return "oom";
        }
        if (exit.Signaled || (exit.Flags & ExitFlags.Cancelled) != 0)
            return "killed";
        return exit.ExitCode == 0 ? "exit_zero" : "exit_nonzero";
    }

    private static long SafeOomKills(Box box)
    {
        try
        {
            return box.OomKillCount;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return 0;
        }
    }

    private Operation BeginOperation(string name, string? id) => new(name, id);

    /// <summary>The metrics label of a sandbox's runtime, without making the docker runtime for it.</summary>
    private string RuntimeNameOf(SandboxSpec spec) => spec.Runtime == BoxRuntimeKind.Docker ? "docker" : Runtime.Name;

    /// <summary>One lifecycle operation's span and latency; outcome <c>error</c> unless <see cref="Succeeded"/> was called.</summary>
    private sealed class Operation : IDisposable
    {
        private readonly string _name;
        private readonly long _start = Stopwatch.GetTimestamp();
        private readonly Activity? _activity;
        private bool _succeeded;

        public Operation(string name, string? id)
        {
            _name = name;
            _activity = EngineTracing.Source.StartActivity("sandbox." + name);
            if (id is not null)
                _activity?.SetTag(EngineTracing.SandboxTag, id);
        }

        public void Succeeded(string? id = null)
        {
            _succeeded = true;
            if (id is not null)
                _activity?.SetTag(EngineTracing.SandboxTag, id);
        }

        public void Dispose()
        {
            EngineMetrics.OperationDuration.Record(Stopwatch.GetElapsedTime(_start).TotalSeconds,
                new KeyValuePair<string, object?>("operation", _name), new KeyValuePair<string, object?>("outcome", _succeeded ? "ok" : "error"));
            if (!_succeeded)
                _activity?.SetStatus(ActivityStatusCode.Error);
            _activity?.Dispose();
        }
    }

    /// <summary>The managers alive in this process, read by the observable instruments at collection time.</summary>
    internal static class Live
    {
        private static readonly ConcurrentDictionary<SandboxManager, byte> s_managers = new();

        public static void Add(SandboxManager manager)
        {
            EngineMetrics.EnsureCreated();
            s_managers[manager] = 0;
        }

        public static void Remove(SandboxManager manager) => s_managers.TryRemove(manager, out _);

        public static IEnumerable<Measurement<long>> ObserveSandboxes()
        {
            var counts = new Dictionary<(SandboxState, string), long>();
            foreach (var manager in s_managers.Keys)
            {
                foreach (var state in Enum.GetValues<SandboxState>())
                    counts.TryAdd((state, manager.Runtime.Name), 0);
                foreach (var record in manager._registry.List())
                {
                    var key = (record.State, manager.RuntimeNameOf(record.Spec));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
            return counts.Select(c => new Measurement<long>(c.Value,
                new KeyValuePair<string, object?>("state", c.Key.Item1.ToString().ToLowerInvariant()), new KeyValuePair<string, object?>("runtime", c.Key.Item2)));
        }

        public static IEnumerable<Measurement<long>> ObserveBoxes()
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var manager in s_managers.Keys)
            {
                counts.TryAdd(manager.Runtime.Name, 0);
                foreach (var entry in manager._entries.Values)
                {
                    if (entry.Box is not null)
                        counts[entry.RuntimeName ?? manager.Runtime.Name] = counts.GetValueOrDefault(entry.RuntimeName ?? manager.Runtime.Name) + 1;
                }
            }
            return counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("runtime", c.Key)));
        }

        public static IEnumerable<Measurement<double>> ObserveCpu()
        {
            foreach (var (id, stats) in Read())
            {
                if (stats.CpuSeconds is { } cpu)
                    yield return new Measurement<double>(cpu, new KeyValuePair<string, object?>("sandbox", id));
            }
        }

        public static IEnumerable<Measurement<long>> ObserveStats(EngineMetrics.StatKind kind)
        {
            foreach (var manager in s_managers.Keys)
            {
                foreach (var entry in manager._entries.Values)
                {
                    if (kind == EngineMetrics.StatKind.Delta)
                    {
                        if (entry.Mount is { } mount)
                            yield return new Measurement<long>(mount.FileSystem.Overlay.Quota.Used, new KeyValuePair<string, object?>("sandbox", entry.Id));
                        continue;
                    }
                    if (ReadOne(entry) is not { } stats)
                        continue;
                    var tag = new KeyValuePair<string, object?>("sandbox", entry.Id);
                    switch (kind)
                    {
                        case EngineMetrics.StatKind.Memory when stats.MemoryBytes is { } memory:
                            yield return new Measurement<long>(memory, tag);
                            break;
                        case EngineMetrics.StatKind.Processes when stats.Processes is { } processes:
                            yield return new Measurement<long>(processes, tag);
                            break;
                        case EngineMetrics.StatKind.Io when stats.IoReadBytes is { } read && stats.IoWriteBytes is { } written:
                            yield return new Measurement<long>(read, tag, new KeyValuePair<string, object?>("direction", "read"));
                            yield return new Measurement<long>(written, tag, new KeyValuePair<string, object?>("direction", "write"));
                            break;
                    }
                }
            }
        }

        private static IEnumerable<(string Id, BoxStats Stats)> Read()
        {
            foreach (var manager in s_managers.Keys)
            {
                foreach (var entry in manager._entries.Values)
                {
                    if (ReadOne(entry) is { } stats)
                        yield return (entry.Id, stats);
                }
            }
        }

        private static BoxStats? ReadOne(SandboxEntry entry)
        {
            if (entry.Stats is not { } reader)
                return null;
            // The instruments of one collection share a reading (each asks within a few milliseconds).
            lock (reader)
                return entry.Stats is null ? null : reader.Read(TimeSpan.FromMilliseconds(250));
        }
    }
}
