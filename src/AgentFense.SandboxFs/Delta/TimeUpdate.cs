namespace AgentFense.SandboxFs.Delta;

/// <summary>One timestamp argument of <c>utimensat</c>: leave it, set it to now, or set it to a value.</summary>
public readonly record struct TimeUpdate
{
    private TimeUpdate(int how, UnixTime value)
    {
        How = how;
        Value = value;
    }

    /// <summary>Leave the timestamp unchanged (<c>UTIME_OMIT</c>).</summary>
    public static TimeUpdate Omit { get; } = new(0, default);

    /// <summary>Set the timestamp to the current time (<c>UTIME_NOW</c>).</summary>
    public static TimeUpdate Now { get; } = new(1, default);

    /// <summary>Set the timestamp to <paramref name="value"/>.</summary>
    public static TimeUpdate To(UnixTime value) => new(2, value);

    /// <summary>0 omit, 1 now, 2 value.</summary>
    internal int How { get; }

    /// <summary>The value when <see cref="How"/> is 2.</summary>
    internal UnixTime Value { get; }

    internal Interop.Libc.timespec_t ToTimespec() => How switch
    {
        0 => new Interop.Libc.timespec_t { tv_nsec = Interop.Libc.UTIME_OMIT },
        1 => new Interop.Libc.timespec_t { tv_nsec = Interop.Libc.UTIME_NOW },
        _ => new Interop.Libc.timespec_t { tv_sec = Value.Seconds, tv_nsec = Value.Nanoseconds },
    };
}
