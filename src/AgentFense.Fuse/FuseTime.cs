namespace AgentFense.Fuse;

/// <summary>Conversions between <see cref="TimeSpan"/> and the (seconds, nanoseconds) pairs of the wire format.</summary>
internal static class FuseTime
{
    /// <summary>Splits a non-negative timeout into whole seconds and the nanosecond remainder.</summary>
    public static (ulong Seconds, uint Nanoseconds) Split(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            return (0, 0);
        long ticks = timeout.Ticks;
        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }
}
