using AgentFense.Engine;
using AgentFense.Engine.Diagnostics;
using AgentFense.Fuse.Diagnostics;
using AgentFense.Runtime.Diagnostics;
using AgentFense.SandboxFs.Diagnostics;
using AgentFense.Server.Audit;
using AgentFense.Server.Services;
using AgentFense.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentFense.Server.Observability;

/// <summary>
/// Puts together what a server reports: structured logs, the audit trail, Prometheus metrics on the REST endpoint
/// and, when configured, traces over OTLP. Created before the engine (whose log lines and events it takes), wired
/// into the web host, disposed after the engine (the audit's last events are written then).
/// </summary>
internal sealed class ServerTelemetry : IAsyncDisposable
{
    /// <summary>The meters exported on <c>/metrics</c>.</summary>
    public static readonly string[] MeterNames = [FuseMetrics.MeterName, SandboxFsMetrics.MeterName, EngineMetrics.MeterName, ServerMetrics.MeterName];

    /// <summary>The activity sources traced (ASP.NET Core's own spans come from its instrumentation).</summary>
    public static readonly string[] SourceNames = [EngineTracing.SourceName, RuntimeTracing.SourceName];

    private readonly ServerOptions _options;
    private readonly StructuredLoggerProvider? _logProvider;
    private SessionTable? _sessions;

    private ServerTelemetry(ServerOptions options, string databasePath, SandboxCatalog catalog)
    {
        _options = options;
        var observability = options.Observability;
        if (options.Log is { } write)
            _logProvider = new StructuredLoggerProvider(write, observability.LogFormat == "json", observability.LogLevel);
        Loggers = LoggerFactory.Create(logging =>
        {
            logging.ClearProviders().SetMinimumLevel(observability.LogLevel);
            if (_logProvider is not null)
                logging.AddProvider(_logProvider);
        });
        var engineLogger = Loggers.CreateLogger("AgentFense.Engine");
        EngineLog = line => engineLogger.LogWarning("{Message}", line);
        AuditStore = new AuditStore(databasePath);
        var auditLogger = Loggers.CreateLogger("AgentFense.Server.Audit");
        Recorder = new AuditRecorder(AuditStore, observability, SessionOf, id => catalog.OwnerOf(id) ?? "", line => auditLogger.LogError("{Message}", line));
        // Instruments exist from the first scrape on (a mounts gauge of 0 says more than no series at all).
        ServerMetrics.EnsureCreated();
        _ = FuseMetrics.OperationDuration;
        _ = SandboxFsMetrics.Refusals;
    }

    /// <summary>Loggers writing to <see cref="ServerOptions.Log"/> in the configured format (none when it is null).</summary>
    public ILoggerFactory Loggers { get; }

    /// <summary>Where the engine's lines go (as warnings of category <c>AgentFense.Engine</c>).</summary>
    public Action<string> EngineLog { get; }

    /// <summary>The persisted audit trail.</summary>
    public AuditStore AuditStore { get; }

    /// <summary>Collects refusals and commands into <see cref="AuditStore"/>.</summary>
    public AuditRecorder Recorder { get; }

    /// <summary>Validates the options and opens the audit trail in the metadata database.</summary>
    /// <exception cref="ArgumentException">An observability option is not valid.</exception>
    public static ServerTelemetry Create(ServerOptions options, string databasePath, SandboxCatalog catalog)
    {
        options.Observability.Validate();
        return new ServerTelemetry(options, databasePath, catalog);
    }

    /// <summary>Takes the engine's refusals, commands and destroys into the audit trail.</summary>
    public void Attach(SandboxManager manager) => Recorder.Attach(manager);

    /// <summary>Logging, metrics and tracing of the web host; the audit's services for the API.</summary>
    public void ConfigureServices(WebApplicationBuilder builder)
    {
        var observability = _options.Observability;
        builder.Logging.ClearProviders().SetMinimumLevel(observability.LogLevel);
        if (_logProvider is not null)
            builder.Logging.AddProvider(_logProvider);
        builder.Services.AddSingleton(AuditStore).AddSingleton(Recorder);
        var otlp = observability.EffectiveOtlpEndpoint;
        var tracing = otlp is not null || observability.ConfigureTracing is not null;
        if (!observability.MetricsEnabled && !tracing)
            return;
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("agentfense"));
        if (observability.MetricsEnabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(MeterNames).AddPrometheusExporter(prometheus =>
                {
                    // Every scrape reads the counters afresh; collection is cheap (no walks) and tests scrape right after work.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                });
                if (otlp is not null)
                    metrics.AddOtlpExporter(exporter => ConfigureOtlp(exporter, otlp, observability.OtlpProtocol, "/v1/metrics"));
            });
        }
        if (tracing)
        {
            telemetry.WithTracing(traces =>
            {
                traces.AddSource(SourceNames).AddAspNetCoreInstrumentation();
                if (otlp is not null)
                    traces.AddOtlpExporter(exporter => ConfigureOtlp(exporter, otlp, observability.OtlpProtocol, "/v1/traces"));
                observability.ConfigureTracing?.Invoke(traces);
            });
        }
    }

    /// <summary><c>GET /metrics</c> (meant for the REST endpoint), behind the API keys when any are configured.</summary>
    public void MapEndpoints(WebApplication app, Auth.ApiKeys keys)
    {
        _sessions = app.Services.GetRequiredService<SessionTable>();
        if (!_options.Observability.MetricsEnabled)
            return;
        app.Use(async (context, next) =>
        {
            if (IsScrape(context) && keys.Enabled && keys.Authenticate(context.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null) is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("a valid API key is required: authorization: Bearer KEY\n").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint(IsScrape);
    }

    // Any listener answers: over TLS the REST endpoint speaks HTTP/2 too, so the protocol cannot tell them apart,
    // and a GET is never a gRPC call.
    private static bool IsScrape(HttpContext context) =>
        context.Request.Path == "/metrics" && HttpMethods.IsGet(context.Request.Method);

    private static void ConfigureOtlp(OtlpExporterOptions exporter, string endpoint, string protocol, string httpPath)
    {
        exporter.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        // Over HTTP the signal's path is part of the endpoint (as OTEL_EXPORTER_OTLP_ENDPOINT implies it).
        exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf && new Uri(endpoint).AbsolutePath is "/" or ""
            ? new Uri(new Uri(endpoint), httpPath) : new Uri(endpoint);
    }

    private string? SessionOf(string sandboxId, uint initSessionId) => _sessions?.IdOf(sandboxId, initSessionId);

    /// <summary>Writes the audit's last events and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        await Recorder.DisposeAsync().ConfigureAwait(false);
        Loggers.Dispose();
    }
}
