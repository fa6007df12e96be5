using System.Globalization;

namespace AgentFense.Server.Configuration;

/// <summary>
/// One setting of <c>agentfense serve</c>: its key in the configuration file (dots are nesting:
/// <c>defaults.memory</c> is <c>{"defaults": {"memory": …}}</c>), its environment variable, how its text is read,
/// and where it goes. One table serves the file, the environment, <c>--help</c> and the docs, so they cannot drift.
/// </summary>
/// <param name="Key">The configuration file key.</param>
/// <param name="Variable">The environment variable.</param>
/// <param name="Kind">How the value is written.</param>
/// <param name="Help">What it does, for <c>--help</c>.</param>
/// <param name="Assign">Stores a parsed value (string, bool, long, int, double, TimeSpan or string[] by <paramref name="Kind"/>).</param>
public sealed record class ServeSetting(string Key, string Variable, SettingKind Kind, string Help, Action<ServeConfiguration, object> Assign)
{
    /// <summary>Every setting except the API keys, which have their own shape (see <see cref="ServeConfiguration.ApiKeysVariable"/>).</summary>
    public static IReadOnlyList<ServeSetting> All { get; } =
    [
        new("grpc", "AGENTFENSE_GRPC", SettingKind.Text, "gRPC address HOST:PORT", (c, v) => c.Grpc = (string)v),
        new("http", "AGENTFENSE_HTTP", SettingKind.Text, "REST address HOST:PORT", (c, v) => c.Http = (string)v),
        new("data", "AGENTFENSE_DATA_DIR", SettingKind.Text, "data directory", (c, v) => c.Data = (string)v),
        new("insecure", "AGENTFENSE_INSECURE", SettingKind.Bool, "allow non-loopback addresses without API keys", (c, v) => c.Insecure = (bool)v),
        new("tls.certificate", "AGENTFENSE_TLS_CERT", SettingKind.Text, "PEM certificate (chain): serve both endpoints over TLS", (c, v) => c.TlsCertificate = (string)v),
        new("tls.key", "AGENTFENSE_TLS_KEY", SettingKind.Text, "PEM private key of the certificate", (c, v) => c.TlsKey = (string)v),
        new("cgroupGroup", "AGENTFENSE_CGROUP_GROUP", SettingKind.Text, "cgroup group of the boxes (swept at start; one per server)", (c, v) => c.CgroupGroup = (string)v),
        new("stateDir", "AGENTFENSE_STATE_DIR", SettingKind.Text, "runtime state directory of the boxes", (c, v) => c.StateDirectory = (string)v),
        new("registerAllowedDirectories", "AGENTFENSE_REGISTER_ALLOWED_DIRS", SettingKind.List,
            "host directories codebases may be registered in place under (':'-separated in the variable; none by default)", (c, v) => c.RegisterAllowedDirectories = (string[])v),
        new("defaults.runtime", "AGENTFENSE_DEFAULT_RUNTIME", SettingKind.Text, "runtime when a request names none: bwrap or docker", (c, v) => c.DefaultRuntime = (string)v),
        new("defaults.image", "AGENTFENSE_DEFAULT_IMAGE", SettingKind.Text, "image of docker sandboxes that name none", (c, v) => c.DefaultImage = (string)v),
        new("defaults.network", "AGENTFENSE_DEFAULT_NETWORK", SettingKind.Bool, "outbound network unless a request says otherwise", (c, v) => c.DefaultNetwork = (bool)v),
        new("defaults.expiresIn", "AGENTFENSE_DEFAULT_EXPIRY", SettingKind.Duration, "lifetime of sandboxes created without expires_in (0: none)", (c, v) => c.DefaultExpiry = (TimeSpan)v),
        new("defaults.execTimeout", "AGENTFENSE_EXEC_TIMEOUT", SettingKind.Duration, "timeout of commands that set none (0: none)", (c, v) => c.ExecTimeout = (TimeSpan)v),
        new("defaults.memory", "AGENTFENSE_DEFAULT_MEMORY", SettingKind.Size, "memory limit of a box (at least 4M)", (c, v) => c.Memory = (long)v),
        new("defaults.cpus", "AGENTFENSE_DEFAULT_CPUS", SettingKind.Number, "CPU quota of a box in CPUs (0.5 = half a core)", (c, v) => c.Cpus = (double)v),
        new("defaults.cpuShares", "AGENTFENSE_DEFAULT_CPU_SHARES", SettingKind.Integer, "relative CPU weight of a box (1024 = default)", (c, v) => c.CpuShares = (long)v),
        new("defaults.pids", "AGENTFENSE_DEFAULT_PIDS", SettingKind.Integer, "most processes in a box (at least 8)", (c, v) => c.Pids = (long)v),
        new("defaults.tmpSize", "AGENTFENSE_DEFAULT_TMP_SIZE", SettingKind.Size, "size of a box's /tmp", (c, v) => c.TmpSize = (long)v),
        new("defaults.deltaSize", "AGENTFENSE_DEFAULT_DELTA_SIZE", SettingKind.Size, "most bytes a sandbox's delta may hold", (c, v) => c.DeltaSize = (long)v),
        new("limits.maxSandboxesPerOwner", "AGENTFENSE_MAX_SANDBOXES_PER_OWNER", SettingKind.Integer, "most sandboxes one owner may have (0: no limit)",
            (c, v) => c.MaxSandboxesPerOwner = (long)v),
        new("limits.maxArchiveSize", "AGENTFENSE_MAX_ARCHIVE_SIZE", SettingKind.Size, "most bytes one UploadArchive may send, and its files may hold unpacked",
            (c, v) => c.MaxArchiveSize = (long)v),
        new("metrics.enabled", "AGENTFENSE_METRICS", SettingKind.Bool, "serve Prometheus metrics on GET /metrics (default true)", (c, v) => c.MetricsEnabled = (bool)v),
        new("tracing.otlpEndpoint", "AGENTFENSE_OTLP_ENDPOINT", SettingKind.Text, "export traces over OTLP to this URI (also OTEL_EXPORTER_OTLP_ENDPOINT; none: no tracing)",
            (c, v) => c.OtlpEndpoint = (string)v),
        new("tracing.otlpProtocol", "AGENTFENSE_OTLP_PROTOCOL", SettingKind.Text, "OTLP transport: grpc or http/protobuf", (c, v) => c.OtlpProtocol = (string)v),
        new("logging.format", "AGENTFENSE_LOG_FORMAT", SettingKind.Text, "log lines: console or json", (c, v) => c.LogFormat = (string)v),
        new("logging.level", "AGENTFENSE_LOG_LEVEL", SettingKind.Text, "least level logged: trace, debug, information, warning, error, critical", (c, v) => c.LogLevel = (string)v),
        new("audit.maxEntriesPerSandbox", "AGENTFENSE_AUDIT_MAX_ENTRIES", SettingKind.Integer, "audit entries kept per sandbox (oldest dropped first)",
            (c, v) => c.AuditMaxEntries = (long)v),
        new("audit.retention", "AGENTFENSE_AUDIT_RETENTION", SettingKind.Duration, "how long a destroyed sandbox's audit trail is kept", (c, v) => c.AuditRetention = (TimeSpan)v),
        new("audit.exportPath", "AGENTFENSE_AUDIT_EXPORT", SettingKind.Text, "append every audit event to this file as a JSON line", (c, v) => c.AuditExportPath = (string)v),
        new("timeouts.shutdownGrace", "AGENTFENSE_SHUTDOWN_GRACE", SettingKind.Duration, "how long a stop waits for running calls", (c, v) => c.ShutdownGrace = (TimeSpan)v),
        new("timeouts.expiryInterval", "AGENTFENSE_EXPIRY_INTERVAL", SettingKind.Duration, "how often expired sandboxes are destroyed", (c, v) => c.ExpiryInterval = (TimeSpan)v),
    ];

    /// <summary>Reads <paramref name="text"/> as this setting's kind.</summary>
    /// <exception cref="FormatException">It is not; the message names the setting by <paramref name="where"/>.</exception>
    public object ParseText(string text, string where) => Kind switch
    {
        SettingKind.Text => text.Length > 0 ? text : throw new FormatException($"{where} is empty"),
        SettingKind.Bool => ConfigValues.TryParseBool(text, out var b) ? b : throw new FormatException($"{where} '{text}' is not true or false"),
        SettingKind.Integer => long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new FormatException($"{where} '{text}' is not a non-negative whole number"),
        SettingKind.Number => double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d
            : throw new FormatException($"{where} '{text}' is not a non-negative number"),
        SettingKind.Size => ConfigValues.TryParseSize(text, out var s) ? s : throw new FormatException($"{where} '{text}' is not a size (e.g. 512M, 2G)"),
        SettingKind.Duration => ConfigValues.TryParseDuration(text, out var t) ? t : throw new FormatException($"{where} '{text}' is not a duration (e.g. 30s, 10m, 24h)"),
        SettingKind.List => text.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        _ => throw new InvalidOperationException(Kind.ToString()),
    };
}
