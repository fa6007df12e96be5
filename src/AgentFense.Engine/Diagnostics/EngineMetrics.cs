using System.Diagnostics.Metrics;

namespace AgentFense.Engine.Diagnostics;

/// <summary>
/// The engine's instruments (meter <c>AgentFense.Engine</c>): lifecycle operations and commands with their
/// latency, and, read at collection time from every live <see cref="SandboxManager"/>, sandboxes by state, boxes,
/// and each running sandbox's memory, CPU, processes, block I/O and delta size.
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "AgentFense.Engine";

    private static readonly Meter s_meter = new(MeterName);

    // Seconds: from a fork/exec (~1 ms) to long builds; lifecycle operations (mount + box start) land mid-range.
    private static readonly double[] s_latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    /// <summary>Create, start, stop and destroy, by operation and outcome (ok, error).</summary>
    public static readonly Histogram<double> OperationDuration = s_meter.CreateHistogram(
        "agentfense.sandbox.operation.duration", unit: "s", description: "Sandbox lifecycle operations, by operation and outcome, and their latency",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });

    /// <summary>Commands (execs and session commands), by runtime and outcome (exit_zero, exit_nonzero, timeout, oom, killed, failed).</summary>
    public static readonly Histogram<double> CommandDuration = s_meter.CreateHistogram(
        "agentfense.exec.duration", unit: "s", description: "Commands run in boxes, by runtime and outcome, and their latency",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });

    static EngineMetrics()
    {
        s_meter.CreateObservableUpDownCounter("agentfense.sandboxes", () => SandboxManager.Live.ObserveSandboxes(),
            unit: "{sandbox}", description: "Sandboxes, by state and runtime");
        s_meter.CreateObservableUpDownCounter("agentfense.boxes", () => SandboxManager.Live.ObserveBoxes(),
            unit: "{box}", description: "Running boxes, by runtime");
        s_meter.CreateObservableGauge("agentfense.sandbox.memory.usage", () => SandboxManager.Live.ObserveStats(StatKind.Memory),
            unit: "By", description: "Memory charged to each running sandbox's box");
        s_meter.CreateObservableCounter("agentfense.sandbox.cpu.time", () => SandboxManager.Live.ObserveCpu(),
            unit: "s", description: "CPU time used by each running sandbox's box since it started");
        s_meter.CreateObservableUpDownCounter("agentfense.sandbox.processes", () => SandboxManager.Live.ObserveStats(StatKind.Processes),
            unit: "{process}", description: "Processes in each running sandbox's box");
        s_meter.CreateObservableCounter("agentfense.sandbox.io", () => SandboxManager.Live.ObserveStats(StatKind.Io),
            unit: "By", description: "Block I/O of each running sandbox's box since it started, by direction");
        s_meter.CreateObservableUpDownCounter("agentfense.sandbox.delta.size", () => SandboxManager.Live.ObserveStats(StatKind.Delta),
            unit: "By", description: "Bytes in each running sandbox's copy-on-write delta");
    }

    /// <summary>Forces the static instruments into existence (so a listener sees them before the first record).</summary>
    internal static void EnsureCreated() => _ = OperationDuration;

    internal enum StatKind
    {
        Memory,
        Processes,
        Io,
        Delta,
    }
}
