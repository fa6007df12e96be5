using AgentFense.Policy;

namespace AgentFense.SandboxFs.Audit;

/// <summary>
/// A bounded, thread-safe log of refused operations: the newest <see cref="Capacity"/> entries and the total
/// count ever refused. Refusals the kernel answers from its own cache (a hidden name looked up again while
/// its absence is cached) never reach the filesystem and are not counted.
/// </summary>
public sealed class AuditLog
{
    private readonly AuditEntry?[] _ring;
    private readonly Lock _lock = new();
    private long _total;

    /// <summary>Creates a log keeping the newest <paramref name="capacity"/> entries.</summary>
    public AuditLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new AuditEntry?[capacity];
    }

    /// <summary>How many entries are kept at most.</summary>
    public int Capacity => _ring.Length;

    /// <summary>How many refusals were recorded in all, including those no longer kept.</summary>
    public long TotalRefused => Interlocked.Read(ref _total);

    /// <summary>Raised after each refusal is recorded (on the filesystem's thread; keep handlers short).</summary>
    public event Action<AuditEntry>? Refused;

    /// <summary>Records one refusal, with the rule that decided it when known.</summary>
    public void Record(string operation, string path, Permission level, int ruleIndex, PermissionRule? rule = null)
    {
        var entry = new AuditEntry(DateTimeOffset.UtcNow, operation, path, level, ruleIndex, rule);
        lock (_lock)
        {
            _ring[_total % _ring.Length] = entry;
            _total++;
        }
        Refused?.Invoke(entry);
    }

    /// <summary>The kept entries, oldest first.</summary>
    public IReadOnlyList<AuditEntry> Snapshot()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_total, _ring.Length);
            var result = new List<AuditEntry>(count);
            for (var i = _total - count; i < _total; i++)
                result.Add(_ring[i % _ring.Length]!);
            return result;
        }
    }
}
