using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentFense.Fuse.Diagnostics;

/// <summary>
/// The FUSE server's instruments (meter <c>AgentFense.Fuse</c>): the latency of every request by opcode and
/// the mounts being served. Process-wide, since one worker pool serves every mount.
/// </summary>
/// <remarks>
/// The per-request cost must stay near zero: without a listener <see cref="Instrument.Enabled"/> is false and
/// the dispatcher does not even read the clock; with one, a record takes a tag from a table built once (no
/// boxing, no allocation, no lock here; the aggregation is the listener's).
/// </remarks>
public static class FuseMetrics
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "AgentFense.Fuse";

    // Opcode numbers run up to ~52 (fuse_kernel.h 7.43) plus CUSE_INIT 4096 and NotifyReply; others share "other".
    private const int TableSize = 64;

    private static readonly Meter s_meter = new(MeterName);
    private static readonly KeyValuePair<string, object?>[] s_opcodeTags = BuildTags();
    private static readonly KeyValuePair<string, object?> s_otherTag = new("opcode", "other");
    private static long s_mounts;

    /// <summary>Seconds from reading a request to answering it, by opcode.</summary>
    public static readonly Histogram<double> OperationDuration = s_meter.CreateHistogram(
        "agentfense.fuse.operation.duration", unit: "s", description: "FUSE requests served, by opcode, and their latency",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 0.1, 1] });

    static FuseMetrics()
    {
        s_meter.CreateObservableUpDownCounter("agentfense.fuse.mounts", () => Interlocked.Read(ref s_mounts),
            unit: "{mount}", description: "FUSE mounts being served");
    }

    /// <summary>True when a listener collects the latency (the dispatcher reads the clock only then).</summary>
    public static bool Enabled => OperationDuration.Enabled;

    /// <summary>Records one request that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static void RecordOperation(FuseOpcode opcode, long startTimestamp)
    {
        var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        var index = (uint)opcode;
        OperationDuration.Record(seconds, index < TableSize && s_opcodeTags[index].Value is not null ? s_opcodeTags[index] : s_otherTag);
    }

    internal static void MountOpened() => Interlocked.Increment(ref s_mounts);

    internal static void MountClosed() => Interlocked.Decrement(ref s_mounts);

    private static KeyValuePair<string, object?>[] BuildTags()
    {
        var tags = new KeyValuePair<string, object?>[TableSize];
        foreach (var opcode in Enum.GetValues<FuseOpcode>())
        {
            if ((uint)opcode < TableSize)
                tags[(uint)opcode] = new("opcode", opcode.ToString().ToLowerInvariant());
        }
        return tags;
    }
}
