using System.Net;
using AgentFense.Api.V1;
using AgentFense.Engine;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Server.Codebases;
using AgentFense.Server.Observability;
using AgentFense.Server.Services;
using AgentFense.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFense.Server;

/// <summary>
/// The <c>sandbox.v1</c> server: gRPC (HTTP/2 without TLS) on one endpoint and the REST routes (JSON
/// transcoding over HTTP/1.1) on another, over one <see cref="SandboxManager"/> and the codebase store.
/// </summary>
/// <remarks>
/// Start order: open SQLite, rebuild the engine's registry from the sandbox rows, start the engine (it marks
/// sandboxes that were running as stopped and cleans what a crashed predecessor left), start again the
/// sandboxes that were running when the last server ended (a fresh box over the same delta; commands and
/// sessions are lost; one that cannot start is ERROR with the reason), then listen. Disposal stops listening first, then the engine (running boxes are
/// stopped, deltas kept, and their rows still say running so the next start resumes them).
/// </remarks>
public sealed class AgentFenseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxManager _manager;
    private readonly PersistentSandboxRegistry _registry;
    private int _disposed;
    private ServerTelemetry? _telemetry;

    private AgentFenseServer(WebApplication app, SandboxManager manager, PersistentSandboxRegistry registry, IPEndPoint grpc, IPEndPoint http)
    {
        _app = app;
        _manager = manager;
        _registry = registry;
        GrpcEndPoint = grpc;
        HttpEndPoint = http;
    }

    /// <summary>Where gRPC listens (the bound port when 0 was asked for).</summary>
    public IPEndPoint GrpcEndPoint { get; }

    /// <summary>The web host's services (tests check which telemetry providers exist).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>The server's logs, metrics, traces and audit trail (tests reach the audit's purge through it).</summary>
    internal ServerTelemetry? Telemetry => _telemetry;

    /// <summary>Where the REST routes listen (the bound port when 0 was asked for).</summary>
    public IPEndPoint HttpEndPoint { get; }

    /// <summary>Both endpoints are served over TLS (<see cref="ServerOptions.TlsCertificatePath"/>).</summary>
    public bool UsesTls { get; private init; }

    /// <summary>Completes when the server is asked to stop (SIGTERM, Ctrl-C in a console host).</summary>
    public CancellationToken StoppingToken => _app.Lifetime.ApplicationStopping;

    /// <summary>Opens the data directory, starts the engine and listens on both endpoints.</summary>
    /// <exception cref="ArgumentException">An address is not valid, or is not loopback without API keys and without <see cref="ServerOptions.AllowNonLoopback"/>; or an observability option is not valid.</exception>
    /// <exception cref="FormatException">The TLS certificate or key cannot be loaded.</exception>
    public static async Task<AgentFenseServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Observability.Validate();
        var allowNonLoopback = options.AllowNonLoopback || options.ApiKeys.Count > 0;
        var grpc = Parse(options.GrpcAddress, allowNonLoopback, "gRPC");
        var http = Parse(options.HttpAddress, allowNonLoopback, "HTTP");
        if (options.DefaultRuntime is not ("bwrap" or "docker"))
            throw new ArgumentException($"default runtime '{options.DefaultRuntime}' is not bwrap or docker", nameof(options));
        // Loaded before anything starts, so a bad certificate or key leaves nothing running.
        var certificate = options.TlsCertificatePath is { } certificatePath ? Configuration.TlsCertificates.Load(certificatePath, options.TlsKeyPath) : null;
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);

        var metadata = new MetadataStore(Path.Combine(dataDirectory, "agentfense.db"));
        var codebases = new CodebaseStore(dataDirectory, metadata);
        var registry = new PersistentSandboxRegistry(metadata);
        var catalog = new SandboxCatalog();
        var resume = new List<string>();
        foreach (var (sandbox, stored, owner) in metadata.ListSandboxes())
        {
            // An ERROR sandbox failed to resume at an earlier start: it was meant to run, so it is tried again.
            if ((SandboxState)stored == SandboxState.Running || sandbox.Status == Api.V1.SandboxStatus.Error)
                resume.Add(sandbox.Id);
            var spec = ApiMapping.ToSpec(sandbox, codebases.PathOf(sandbox.CodebaseId));
            registry.Load(new SandboxRecord(sandbox.Id, spec, (SandboxState)stored, sandbox.CreatedAt.ToDateTimeOffset()));
            catalog.Put(sandbox, owner);
        }
        var telemetry = ServerTelemetry.Create(options, Path.Combine(dataDirectory, "agentfense.db"), catalog);

        SandboxManager manager;
        try
        {
            manager = await StartEngineAsync(options, dataDirectory, registry, telemetry, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing may keep running when the start fails: the audit's writer stops with the telemetry.
            await telemetry.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        telemetry.Attach(manager);
        try
        {
            await SandboxResume.ResumeAsync(manager, catalog, metadata, resume, telemetry.EngineLog, cancellationToken).ConfigureAwait(false);
            var app = Build(options, certificate, grpc, http, manager, metadata, codebases, catalog, telemetry);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new AgentFenseServer(app, manager, registry, Bound(app, grpc, 0), Bound(app, http, 1))
            {
                UsesTls = options.TlsCertificatePath is not null,
                _telemetry = telemetry,
            };
        }
        catch
        {
            await manager.DisposeAsync().ConfigureAwait(false);
            await telemetry.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task<SandboxManager> StartEngineAsync(ServerOptions options, string dataDirectory, PersistentSandboxRegistry registry,
        ServerTelemetry telemetry, CancellationToken cancellationToken) =>
        SandboxManager.StartAsync(new SandboxManagerOptions
        {
            DataDirectory = dataDirectory,
            InitPath = options.InitPath,
            CgroupGroupName = options.CgroupGroupName,
            Registry = registry,
            Log = telemetry.EngineLog,
            Bubblewrap = options.BubblewrapStateDirectory is { } state ? new BubblewrapRuntimeOptions { StateDirectory = state } : null,
            Docker = options.Docker,
        }, cancellationToken);

    private static WebApplication Build(ServerOptions options, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, IPEndPoint grpc, IPEndPoint http, SandboxManager manager, MetadataStore metadata,
        CodebaseStore codebases, SandboxCatalog catalog, ServerTelemetry telemetry)
    {
        var builder = WebApplication.CreateSlimBuilder();
        telemetry.ConfigureServices(builder);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGrace);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(grpc, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                    listen.UseHttps(certificate);
            });
            kestrel.Listen(http, listen =>
            {
                // Over TLS, ALPN lets REST clients speak HTTP/2 as well; in clear text HTTP/1.1 only (no h2c upgrade).
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                    listen.UseHttps(certificate);
            });
        });
        builder.Services.AddSingleton(manager).AddSingleton(metadata).AddSingleton(codebases).AddSingleton(catalog)
            .AddSingleton<SessionTable>().AddSingleton<ProcessTable>().AddSingleton(options).AddSingleton(new Auth.ApiKeys(options.ApiKeys)).AddHostedService<ExpiryService>();
        builder.Services.AddGrpc(grpcOptions =>
        {
            // Measured and logged outermost, so the final status (also UNAUTHENTICATED) is what is counted.
            grpcOptions.Interceptors.Add<TelemetryInterceptor>();
            // Authentication first: an unauthenticated call reaches nothing else.
            grpcOptions.Interceptors.Add<Auth.AuthInterceptor>();
            grpcOptions.Interceptors.Add<EngineErrorInterceptor>();
            grpcOptions.MaxReceiveMessageSize = 16 * 1024 * 1024;
        }).AddJsonTranscoding(transcoding =>
        {
            // The proto3 JSON mapping writes 64-bit integers as strings (as the original's gateway does);
            // default values are written too.
            transcoding.JsonSettings.WriteInt64sAsStrings = true;
            // Error bodies carry the google.rpc.Status details (Any): the ErrorInfo type must be known to write them.
            transcoding.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(Google.Rpc.ErrorInfo.Descriptor);
        });
        // Serving once listening (the engine started before); a check of the engine itself can join later.
        builder.Services.AddGrpcHealthChecks()
            .AddCheck("server", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddGrpcReflection();
        var app = builder.Build();
        telemetry.MapEndpoints(app, app.Services.GetRequiredService<Auth.ApiKeys>());
        app.Use(JsonContentTypeMiddleware.InvokeAsync);
        app.MapGrpcService<CodebaseGrpcService>();
        app.MapGrpcService<SandboxGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    private static IPEndPoint Parse(string address, bool allowNonLoopback, string what)
    {
        if (!ListenAddress.TryParse(address, out var endPoint, out var error))
            throw new ArgumentException($"{what} address: {error}");
        if (!allowNonLoopback && !ListenAddress.IsLoopback(endPoint))
            throw new ArgumentException($"{what} address {address} is not loopback; without API keys the server listens on loopback only (unless insecure is allowed)");
        return endPoint;
    }

    /// <summary>The endpoint Kestrel bound for the <paramref name="index"/>th listen call (its port when 0 was asked for).</summary>
    private static IPEndPoint Bound(WebApplication app, IPEndPoint asked, int index)
    {
        if (asked.Port != 0)
            return asked;
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.ToList();
        var uri = new Uri(addresses[index]);
        return new IPEndPoint(asked.Address, uri.Port);
    }

    /// <summary>Stops listening, then stops every running sandbox (deltas and metadata are kept).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _registry.FreezeStates();
            await _manager.DisposeAsync().ConfigureAwait(false);
            if (_telemetry is not null)
                await _telemetry.DisposeAsync().ConfigureAwait(false);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
