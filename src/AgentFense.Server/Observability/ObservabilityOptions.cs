using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace AgentFense.Server.Observability;

/// <summary>Metrics, traces, logs and the audit trail of an <see cref="AgentFenseServer"/>.</summary>
public sealed record class ObservabilityOptions
{
    /// <summary>Serve Prometheus metrics on <c>GET /metrics</c> of the REST endpoint (true by default).</summary>
    public bool MetricsEnabled { get; init; } = true;

    /// <summary>
    /// The OTLP endpoint traces are exported to (for example <c>http://collector:4317</c>); null: the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable when set, else no tracing at all (no spans are even created).
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>The OTLP transport: <c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; init; } = "grpc";

    /// <summary>Adds exporters or sources to the tracer (an embedder's own, or a test's in-memory exporter); turns tracing on.</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>Log line format: <c>console</c> (one readable line) or <c>json</c> (one JSON object per line).</summary>
    public string LogFormat { get; init; } = "console";

    /// <summary>The least level logged; requests are logged at Information, failures at Warning and above.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>The most audit entries kept per sandbox (the oldest go first).</summary>
    public int AuditMaxEntriesPerSandbox { get; init; } = 10_000;

    /// <summary>How long a destroyed sandbox's audit trail is kept.</summary>
    public TimeSpan AuditRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often queued audit events are written (also when a batch fills).</summary>
    public TimeSpan AuditFlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Audit events waiting to be written past which new ones are dropped (and counted) rather than kept in memory.</summary>
    public int AuditQueueLimit { get; init; } = 100_000;

    /// <summary>A file every audit event is appended to as one JSON line (for SIEM pipelines); null: none.</summary>
    public string? AuditExportPath { get; init; }

    /// <summary>The endpoint that applies: <see cref="OtlpEndpoint"/>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else null.</summary>
    internal string? EffectiveOtlpEndpoint =>
        OtlpEndpoint ?? (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } fromEnvironment ? fromEnvironment : null);

    /// <summary>Checks the values; the message names the first bad one.</summary>
    internal void Validate()
    {
        if (LogFormat is not ("console" or "json"))
            throw new ArgumentException($"log format '{LogFormat}' is not console or json");
        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
            throw new ArgumentException($"OTLP protocol '{OtlpProtocol}' is not grpc or http/protobuf");
        if (EffectiveOtlpEndpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new ArgumentException($"OTLP endpoint '{endpoint}' is not an absolute URI");
        if (AuditMaxEntriesPerSandbox < 1)
            throw new ArgumentException("the audit must keep at least 1 entry per sandbox");
        if (AuditRetention < TimeSpan.Zero)
            throw new ArgumentException("the audit retention may not be negative");
        if (AuditFlushInterval <= TimeSpan.Zero)
            throw new ArgumentException("the audit flush interval must be positive");
        if (AuditQueueLimit < 1)
            throw new ArgumentException("the audit queue limit must be at least 1");
    }
}
