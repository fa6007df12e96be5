namespace AgentFense.Server;

/// <summary>How an <see cref="AgentFenseServer"/> listens and where it keeps its state.</summary>
public sealed record class ServerOptions
{
    /// <summary>The default gRPC address (h2c): loopback port 9000.</summary>
    public const string DefaultGrpcAddress = "127.0.0.1:9000";

    /// <summary>The default REST address (HTTP/1.1 JSON transcoding): loopback port 8080.</summary>
    public const string DefaultHttpAddress = "127.0.0.1:8080";

    /// <summary>gRPC endpoint, <c>HOST:PORT</c> (port 0 picks a free one).</summary>
    public string GrpcAddress { get; init; } = DefaultGrpcAddress;

    /// <summary>REST endpoint, <c>HOST:PORT</c> (port 0 picks a free one).</summary>
    public string HttpAddress { get; init; } = DefaultHttpAddress;

    /// <summary>The data directory: <c>agentfense.db</c>, <c>codebases/</c>, and the engine's <c>deltas/</c> and <c>mounts/</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The NativeAOT <c>agentfense-init</c> binary every box runs as PID 1.</summary>
    public required string InitPath { get; init; }

    /// <summary>The cgroup group of the engine's boxes (two servers must not share one).</summary>
    public string CgroupGroupName { get; init; } = "agentfense";

    /// <summary>bwrap's state directory; null keeps the runtime's default.</summary>
    public string? BubblewrapStateDirectory { get; init; }

    /// <summary>
    /// Allows non-loopback addresses without API keys (<c>--insecure</c>). With keys non-loopback addresses
    /// are always allowed.
    /// </summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>
    /// API keys, key → owner id. When any is configured every call except health checks and reflection needs
    /// <c>authorization: Bearer KEY</c>, and each owner sees only the codebases, sandboxes and sessions it created.
    /// Empty: no authentication.
    /// </summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>How often the cleanup loop destroys sandboxes past their <c>expires_at</c>.</summary>
    public TimeSpan ExpiryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stop waits for calls in flight (running commands) before their boxes are stopped.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a sandbox lives when its create request sets no <c>expires_in</c>; null: until destroyed.</summary>
    public TimeSpan? DefaultExpiry { get; init; }

    /// <summary>The most sandboxes one owner may have at once (RESOURCE_EXHAUSTED past it); 0: no limit.</summary>
    public int MaxSandboxesPerOwner { get; init; }

    /// <summary>The timeout of a command whose request sets none; null: none.</summary>
    public TimeSpan? DefaultExecTimeout { get; init; }

    /// <summary>Limits of a sandbox whose request leaves them at 0 (a request's own values win).</summary>
    public AgentFense.Runtime.Boxes.BoxLimits DefaultLimits { get; init; } = new();

    /// <summary>The most bytes a sandbox's delta may hold when its request sets none.</summary>
    public long DefaultDeltaSizeBytes { get; init; } = AgentFense.SandboxFs.SandboxFsOptions.DefaultDeltaLimit;

    /// <summary>Outbound network for sandboxes (a request can ask for it; this makes it the default).</summary>
    public bool DefaultNetwork { get; init; }

    /// <summary>The runtime of a sandbox whose request names none: <c>bwrap</c> or <c>docker</c>.</summary>
    public string DefaultRuntime { get; init; } = "bwrap";

    /// <summary>The image of a docker sandbox whose request names none; null: such requests are refused.</summary>
    public string? DefaultImage { get; init; }

    /// <summary>Host-side settings of the docker runtime (daemon endpoint, state directory); null: <c>DOCKER_HOST</c> or the default socket.</summary>
    public AgentFense.Runtime.Docker.DockerRuntimeOptions? Docker { get; init; }

    /// <summary>
    /// Host directories under which <c>RegisterCodebase</c> may register a codebase in place (none by default;
    /// the data directory never, even when under one of them).
    /// </summary>
    public IReadOnlyList<string> RegisterAllowedDirectories { get; init; } = [];

    /// <summary>
    /// The most bytes one <c>UploadArchive</c> may send, and the most its files may hold unpacked (a bound on
    /// compression bombs too); past it the archive is refused with RESOURCE_EXHAUSTED and nothing is written.
    /// </summary>
    public long MaxArchiveBytes { get; init; } = DefaultMaxArchiveBytes;

    /// <summary>The default of <see cref="MaxArchiveBytes"/>: 4 GiB.</summary>
    public const long DefaultMaxArchiveBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>A PEM certificate (chain) to serve both endpoints over TLS; null: plain text (h2c and HTTP/1.1).</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificatePath"/> (null when the certificate file holds it).</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>Where log lines go (formatted by <see cref="Observability"/>); null drops them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Metrics, traces, log format and level, and the audit trail's bounds, retention and export.</summary>
    public Observability.ObservabilityOptions Observability { get; init; } = new();
}
