using System.Collections.Concurrent;
using AgentFense.Engine;
using AgentFense.Server.Observability;
using AgentFense.SandboxFs.Audit;

namespace AgentFense.Server.Audit;

/// <summary>
/// Collects the engine's refusals and commands into the persisted audit trail.
/// </summary>
/// <remarks>
/// <para>Constraints: a refusal is reported on a FUSE worker thread, a command end on an init client's receive loop:
/// neither may wait for the database, and nothing may be written per event. Memory must stay bounded when the
/// database is slow. A read must see every event recorded before it.</para>
/// <para>Scheme: events go into a lock-free queue (past <see cref="ObservabilityOptions.AuditQueueLimit"/> they are
/// dropped and counted); a loop writes what is queued in one transaction every flush interval, or sooner when a
/// batch fills, trimming each touched sandbox to its bound and appending the JSON lines export. A read first writes
/// what is queued itself (under the same lock as the loop). Destroyed sandboxes are marked; their trails are purged
/// once past the retention, checked every minute.</para>
/// </remarks>
internal sealed class AuditRecorder : IAsyncDisposable
{
    private const int BatchSize = 512;
    private static readonly TimeSpan s_purgeInterval = TimeSpan.FromMinutes(1);

    private readonly AuditStore _store;
    private readonly ObservabilityOptions _options;
    private readonly Func<string, uint, string?> _sessionOf;
    private readonly Func<string, string> _ownerOf;
    private readonly Action<string>? _log;
    private readonly ConcurrentQueue<AuditEvent> _queue = new();
    private readonly SemaphoreSlim _batchReady = new(0, 1);
    private readonly Lock _writeLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly AuditExport? _export;
    private readonly Task _loop;
    private int _queued;
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;

    /// <param name="store">Where events are kept.</param>
    /// <param name="options">Bounds, retention, flush interval, export file.</param>
    /// <param name="sessionOf">The API session id of an init session of a sandbox, or null.</param>
    /// <param name="ownerOf">The authenticated owner of a live sandbox ("" for none).</param>
    /// <param name="log">Where write failures are reported.</param>
    public AuditRecorder(AuditStore store, ObservabilityOptions options, Func<string, uint, string?> sessionOf, Func<string, string> ownerOf, Action<string>? log)
    {
        _store = store;
        _options = options;
        _sessionOf = sessionOf;
        _ownerOf = ownerOf;
        _log = log;
        _export = options.AuditExportPath is { } path ? new AuditExport(path) : null;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Subscribes to <paramref name="manager"/>'s refusals, commands and destroys.</summary>
    public void Attach(SandboxManager manager)
    {
        manager.Refused += OnRefused;
        manager.CommandEnded += OnCommandEnded;
        manager.Destroyed += OnDestroyed;
    }

    /// <summary>Queues one event (never blocks; drops it, counted, when the queue is full).</summary>
    public void Enqueue(AuditEvent e)
    {
        if (Interlocked.Increment(ref _queued) > _options.AuditQueueLimit)
        {
            Interlocked.Decrement(ref _queued);
            ServerMetrics.AuditDropped.Add(1);
            return;
        }
        _queue.Enqueue(e);
        if (Volatile.Read(ref _queued) >= BatchSize && _batchReady.CurrentCount == 0)
        {
            try
            {
                _batchReady.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another producer signalled first.
            }
        }
    }

    /// <summary>Writes everything queued so far (a reader calls this first, so it sees every event recorded before).</summary>
    public void Flush()
    {
        lock (_writeLock)
        {
            var batch = new List<AuditEvent>();
            while (_queue.TryDequeue(out var e))
            {
                batch.Add(e);
                Interlocked.Decrement(ref _queued);
                if (batch.Count == 4 * BatchSize)
                {
                    Write(batch);
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
                Write(batch);
        }
    }

    /// <summary>Removes the trails of sandboxes destroyed longer than the retention ago.</summary>
    public int Purge(DateTimeOffset now)
    {
        lock (_writeLock)
            return _store.PurgeDestroyedBefore(now - _options.AuditRetention);
    }

    private void OnRefused(string sandboxId, AuditEntry entry) =>
        Enqueue(new AuditEvent(sandboxId, entry.Time, AuditKind.Refusal)
        {
            Operation = entry.Operation,
            Path = entry.Path,
            Level = entry.Level,
            Rule = entry.Rule,
        });

    private void OnCommandEnded(SandboxCommand command)
    {
        var record = command.Record;
        Enqueue(new AuditEvent(command.SandboxId, record.Started, AuditKind.Command)
        {
            SessionId = record.SessionId == 0 ? "" : _sessionOf(command.SandboxId, record.SessionId) ?? "",
            Command = record.Command,
            ExitCode = record.Exit?.ShellExitCode ?? -1,
            Duration = record.Duration,
            Outcome = command.Outcome,
        });
    }

    private void OnDestroyed(string sandboxId)
    {
        try
        {
            Flush();
            _store.MarkDestroyed(sandboxId, _ownerOf(sandboxId), DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log?.Invoke($"audit: marking sandbox {sandboxId} destroyed failed: {e.Message}");
        }
    }

    private void Write(List<AuditEvent> batch)
    {
        try
        {
            _store.Append(batch, _options.AuditMaxEntriesPerSandbox);
            foreach (var kind in batch.GroupBy(e => e.Kind))
                ServerMetrics.AuditWritten.Add(kind.Count(), new KeyValuePair<string, object?>("kind", kind.Key == AuditKind.Refusal ? "refusal" : "command"));
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            ServerMetrics.AuditDropped.Add(batch.Count);
            _log?.Invoke($"audit: writing {batch.Count} event(s) failed: {e.Message}");
        }
        try
        {
            _export?.Append(batch);
        }
        catch (IOException e)
        {
            _log?.Invoke($"audit: appending to the export file {_options.AuditExportPath} failed: {e.Message}");
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _batchReady.WaitAsync(_options.AuditFlushInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                Flush();
                var now = DateTimeOffset.UtcNow;
                if (now >= _nextPurge)
                {
                    _nextPurge = now + s_purgeInterval;
                    Purge(now);
                }
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                _log?.Invoke($"audit: {e.Message}");
            }
        }
    }

    /// <summary>Stops the loop and writes what is still queued.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        _stopping.Cancel();
        await _loop.ConfigureAwait(false);
        Flush();
        _export?.Dispose();
        _stopping.Dispose();
    }
}
