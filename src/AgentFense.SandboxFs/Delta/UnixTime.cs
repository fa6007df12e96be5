namespace AgentFense.SandboxFs.Delta;

/// <summary>A <c>struct timespec_t</c>: seconds and nanoseconds since the Unix epoch.</summary>
/// <param name="Seconds">Whole seconds since 1970-01-01T00:00:00Z.</param>
/// <param name="Nanoseconds">Nanoseconds, 0..999,999,999.</param>
public readonly record struct UnixTime(long Seconds, uint Nanoseconds)
{
    /// <summary>The time as a <see cref="DateTimeOffset"/> (100 ns precision).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Nanoseconds / 100);

    /// <summary>A time from a <see cref="DateTimeOffset"/>.</summary>
    public static UnixTime From(DateTimeOffset time)
    {
        var ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new UnixTime(seconds, (uint)(rest * 100));
    }
}
