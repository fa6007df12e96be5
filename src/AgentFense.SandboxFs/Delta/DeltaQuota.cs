namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// Bytes used by a delta against its limit. Lock-free: a reservation succeeds only if it keeps the total
/// within the limit, so the check and the charge are one step. The measure is the sum of regular file sizes
/// (each inode once) and symlink target lengths; directories, whiteouts and metadata count zero.
/// </summary>
public sealed class DeltaQuota
{
    private long _used;
    private long _limit;

    /// <summary>Creates an accountant with the given limit (<see cref="long.MaxValue"/>: unlimited).</summary>
    public DeltaQuota(long limit = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }

    /// <summary>Bytes currently charged.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>The limit in bytes; lowering it below <see cref="Used"/> only blocks further growth.</summary>
    public long Limit
    {
        get => Volatile.Read(ref _limit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _limit, value);
        }
    }

    /// <summary>Bytes left before the limit (0 when over it).</summary>
    public long Available => Math.Max(0, Limit - Used);

    /// <summary>Charges <paramref name="bytes"/> if the total stays within the limit; ENOSPC otherwise.</summary>
    public Errno TryReserve(long bytes)
    {
        if (bytes <= 0)
        {
            Release(-bytes);
            return Errno.Success;
        }
        var used = Volatile.Read(ref _used);
        while (true)
        {
            if (bytes > Limit - used)
                return Errno.ENOSPC;
            var seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used)
                return Errno.Success;
            used = seen;
        }
    }

    /// <summary>Returns <paramref name="bytes"/> to the budget (never below zero).</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0)
            return;
        var used = Volatile.Read(ref _used);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _used, Math.Max(0, used - bytes), used);
            if (seen == used)
                return;
            used = seen;
        }
    }

    /// <summary>Replaces the total, after a recount.</summary>
    public void Reset(long used) => Volatile.Write(ref _used, Math.Max(0, used));
}
