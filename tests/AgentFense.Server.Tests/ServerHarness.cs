using System.Net.Http.Json;
using System.Text.Json;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Net.Client;

namespace AgentFense.Server.Tests;

/// <summary>
/// A real server (Kestrel on free loopback ports) over a temp data directory, with a gRPC channel and an
/// HttpClient pointed at it. <see cref="RestartAsync"/> stops it and starts a new one on the same data.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly TempDirectory _data = new("agentfense-server-");
    private readonly string _group = $"agentfense-ts-{Guid.NewGuid():N}"[..24];
    private readonly string _initPath;
    private AgentFenseServer? _server;
    private GrpcChannel? _channel;
    private HttpClient? _http;

    private IReadOnlyDictionary<string, string>? _apiKeys;
    private readonly Func<ServerOptions, ServerOptions>? _configure;

    private ServerHarness(string? initPath, IReadOnlyDictionary<string, string>? apiKeys = null, Func<ServerOptions, ServerOptions>? configure = null)
    {
        _apiKeys = apiKeys;
        _configure = configure;
        if (initPath is null)
        {
            // Never executed: the engine only checks that the file exists until a box starts.
            initPath = _data.WriteFile("agentfense-init-placeholder");
        }
        _initPath = initPath;
    }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public string DataDirectory => _data.Path;

    public AgentFenseServer Server => _server!;

    public CodebaseService.CodebaseServiceClient Codebases { get; private set; } = null!;

    public SandboxService.SandboxServiceClient Sandboxes { get; private set; } = null!;

    public HttpClient Http => _http!;

    public Grpc.Net.Client.GrpcChannel Channel => _channel!;

    /// <summary>
    /// Starts a server. With <paramref name="boxes"/> false the init binary is a placeholder file (nothing
    /// here starts a box), which spares publishing agentfense-init for API-only tests.
    /// </summary>
    /// <param name="boxes">Publish and use the real agentfense-init.</param>
    /// <param name="apiKeys">Key → owner; null: no authentication.</param>
    /// <param name="configure">Changes to the harness's options (limits, defaults, TLS…), applied at every (re)start.</param>
    public static async Task<ServerHarness> StartAsync(bool boxes = false, IReadOnlyDictionary<string, string>? apiKeys = null,
        Func<ServerOptions, ServerOptions>? configure = null)
    {
        var harness = new ServerHarness(boxes ? InitBinary.Path : null, apiKeys, configure);
        try
        {
            await harness.StartServerAsync();
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
        return harness;
    }

    public async Task RestartAsync()
    {
        await StopServerAsync();
        await StartServerAsync();
    }

    /// <summary>Stops the server, runs <paramref name="whileStopped"/>, and starts it again with <paramref name="apiKeys"/>.</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string>? apiKeys, Action? whileStopped = null)
    {
        await StopServerAsync();
        whileStopped?.Invoke();
        _apiKeys = apiKeys;
        await StartServerAsync();
    }

    private async Task StartServerAsync()
    {
        var options = new ServerOptions
        {
            GrpcAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            DataDirectory = _data.Path,
            InitPath = _initPath,
            CgroupGroupName = _group,
            BubblewrapStateDirectory = "/run/agentfense-tests",
            ExpiryInterval = TimeSpan.FromMilliseconds(100),
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ApiKeys = _apiKeys ?? new Dictionary<string, string>(),
        };
        options = _configure?.Invoke(options) ?? options;
        _server = await AgentFenseServer.StartAsync(options, Token);
        if (options.TlsCertificatePath is { } certificatePath)
        {
            // Trust exactly the server's own certificate (self-signed in tests), nothing else.
            using var certificate = Configuration.TlsCertificates.Load(certificatePath, options.TlsKeyPath);
            var thumbprint = certificate.Thumbprint;
            HttpClientHandler Handler() => new() { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == thumbprint };
            _channel = GrpcChannel.ForAddress($"https://127.0.0.1:{_server.GrpcEndPoint.Port}", new GrpcChannelOptions { HttpHandler = Handler() });
            _http = new HttpClient(Handler()) { BaseAddress = new Uri($"https://127.0.0.1:{_server.HttpEndPoint.Port}") };
        }
        else
        {
            _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcEndPoint.Port}");
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.HttpEndPoint.Port}") };
        }
        Codebases = new CodebaseService.CodebaseServiceClient(_channel);
        Sandboxes = new SandboxService.SandboxServiceClient(_channel);
    }

    private async Task StopServerAsync()
    {
        _http?.Dispose();
        _http = null;
        _channel?.Dispose();
        _channel = null;
        if (_server is not null)
            await _server.DisposeAsync();
        _server = null;
    }

    /// <summary>Uploads <paramref name="content"/> as one UploadFiles stream in 64 KiB chunks.</summary>
    public async Task<UploadResult> UploadAsync(string codebaseId, string path, byte[] content, long? totalSize = null)
    {
        using var call = Codebases.UploadFiles(cancellationToken: Token);
        try
        {
            await call.RequestStream.WriteAsync(new UploadChunk
            {
                Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = path, TotalSize = totalSize ?? content.Length },
            }, Token);
            for (var offset = 0; offset < content.Length; offset += 64 * 1024)
            {
                var chunk = Google.Protobuf.ByteString.CopyFrom(content, offset, Math.Min(64 * 1024, content.Length - offset));
                await call.RequestStream.WriteAsync(new UploadChunk { Data = chunk }, Token);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or InvalidOperationException)
        {
            // The server may answer (e.g. NOT_FOUND after the metadata) before the client has written
            // everything; the write then fails with a stand-in status and the call's own status is the
            // answer. A client must read it from the response, as here.
        }
        return await call;
    }

    /// <summary>Sends a JSON body and returns the status and parsed JSON answer.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> SendJsonAsync(HttpMethod method, string route, object? body = null,
        string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, route);
        if (bearer is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await Http.SendAsync(request, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        _data.Dispose();
    }
}
