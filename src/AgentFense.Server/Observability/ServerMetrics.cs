using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentFense.Server.Observability;

/// <summary>
/// The server's instruments (meter <c>AgentFense.Server</c>): API requests by method and status code with their
/// latency, upload bytes, the audit trail's writes and drops, and the server process's memory and CPU.
/// </summary>
internal static class ServerMetrics
{
    public const string MeterName = "AgentFense.Server";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>API calls (gRPC and REST alike), by method and gRPC status code.</summary>
    public static readonly Counter<long> Requests = s_meter.CreateCounter<long>(
        "agentfense.api.requests", unit: "{request}", description: "API calls, by method and status code");

    /// <summary>API call latency, by method and status code.</summary>
    public static readonly Histogram<double> RequestDuration = s_meter.CreateHistogram(
        "agentfense.api.request.duration", unit: "s", description: "API call latency, by method and status code",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>Bytes received on client-streaming (upload) calls, by method.</summary>
    public static readonly Counter<long> UploadBytes = s_meter.CreateCounter<long>(
        "agentfense.upload", unit: "By", description: "Bytes received on upload streams, by method");

    /// <summary>Audit events written to the database.</summary>
    public static readonly Counter<long> AuditWritten = s_meter.CreateCounter<long>(
        "agentfense.audit.events", unit: "{event}", description: "Audit events persisted, by kind");

    /// <summary>Audit events dropped because the write queue was full.</summary>
    public static readonly Counter<long> AuditDropped = s_meter.CreateCounter<long>(
        "agentfense.audit.dropped", unit: "{event}", description: "Audit events dropped because the write queue was full");

    static ServerMetrics()
    {
        s_meter.CreateObservableUpDownCounter("agentfense.process.resident_memory", () => Environment.WorkingSet,
            unit: "By", description: "Resident memory of the server process");
        s_meter.CreateObservableCounter("agentfense.process.cpu.time", () => CpuSeconds(),
            unit: "s", description: "CPU time of the server process (user + system)");
    }

    /// <summary>Forces the static instruments into existence before a listener subscribes.</summary>
    public static void EnsureCreated() => _ = Requests;

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
