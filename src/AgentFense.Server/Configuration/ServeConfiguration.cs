using System.Text.Json;

namespace AgentFense.Server.Configuration;

/// <summary>
/// The settings of <c>agentfense serve</c> as read from one source — the <c>--config</c> JSON file, the
/// environment, or the command line — each left null when that source does not set it. Sources are layered with
/// <see cref="Overlay"/> (command line over environment over file) and turned into <see cref="ServerOptions"/> by
/// <see cref="ToServerOptions"/>. Problems are <see cref="FormatException"/>s whose message names the setting and
/// never an API key.
/// </summary>
public sealed partial class ServeConfiguration
{
    /// <summary>The environment variable of API keys (<c>owner1:key1,owner2:key2</c>).</summary>
    public const string ApiKeysVariable = "AGENTFENSE_API_KEYS";

    /// <summary>The gRPC address.</summary>
    public string? Grpc { get; set; }

    /// <summary>The REST address.</summary>
    public string? Http { get; set; }

    /// <summary>The data directory.</summary>
    public string? Data { get; set; }

    /// <summary>Non-loopback addresses allowed without API keys.</summary>
    public bool? Insecure { get; set; }

    /// <summary>The PEM certificate file.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM key file.</summary>
    public string? TlsKey { get; set; }

    /// <summary>The boxes' cgroup group.</summary>
    public string? CgroupGroup { get; set; }

    /// <summary>The boxes' runtime state directory.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Where codebases may be registered in place.</summary>
    public string[]? RegisterAllowedDirectories { get; set; }

    /// <summary>The runtime of requests that name none.</summary>
    public string? DefaultRuntime { get; set; }

    /// <summary>The image of docker requests that name none.</summary>
    public string? DefaultImage { get; set; }

    /// <summary>Outbound network by default.</summary>
    public bool? DefaultNetwork { get; set; }

    /// <summary>Lifetime of sandboxes created without one; zero: none.</summary>
    public TimeSpan? DefaultExpiry { get; set; }

    /// <summary>Timeout of commands that set none; zero: none.</summary>
    public TimeSpan? ExecTimeout { get; set; }

    /// <summary>Default memory limit in bytes.</summary>
    public long? Memory { get; set; }

    /// <summary>Default CPU quota in CPUs.</summary>
    public double? Cpus { get; set; }

    /// <summary>Default CPU shares.</summary>
    public long? CpuShares { get; set; }

    /// <summary>Default process limit.</summary>
    public long? Pids { get; set; }

    /// <summary>Default /tmp size in bytes.</summary>
    public long? TmpSize { get; set; }

    /// <summary>Default delta limit in bytes.</summary>
    public long? DeltaSize { get; set; }

    /// <summary>Most sandboxes per owner; zero: no limit.</summary>
    public long? MaxSandboxesPerOwner { get; set; }

    /// <summary>Most bytes of one archive upload, sent and unpacked.</summary>
    public long? MaxArchiveSize { get; set; }

    /// <summary>Prometheus metrics on or off.</summary>
    public bool? MetricsEnabled { get; set; }

    /// <summary>Where traces go over OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The OTLP transport.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>console or json.</summary>
    public string? LogFormat { get; set; }

    /// <summary>The least level logged.</summary>
    public string? LogLevel { get; set; }

    /// <summary>Audit entries kept per sandbox.</summary>
    public long? AuditMaxEntries { get; set; }

    /// <summary>How long a destroyed sandbox's audit is kept.</summary>
    public TimeSpan? AuditRetention { get; set; }

    /// <summary>The JSON-lines audit export file.</summary>
    public string? AuditExportPath { get; set; }

    /// <summary>How long a stop waits for running calls.</summary>
    public TimeSpan? ShutdownGrace { get; set; }

    /// <summary>How often expired sandboxes are destroyed.</summary>
    public TimeSpan? ExpiryInterval { get; set; }

    /// <summary>Key → owner id (merged across sources; a key may not name two owners).</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; set; } = new Dictionary<string, string>();

    /// <summary>Reads the settings set in the environment (<see cref="ServeSetting.Variable"/>s and <see cref="ApiKeysVariable"/>).</summary>
    /// <param name="variable">Looks a variable up (<see cref="Environment.GetEnvironmentVariable(string)"/> in production).</param>
    /// <exception cref="FormatException">A variable holds a bad value.</exception>
    public static ServeConfiguration FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var configuration = new ServeConfiguration();
        foreach (var setting in ServeSetting.All)
        {
            if (variable(setting.Variable) is { Length: > 0 } text)
                setting.Assign(configuration, setting.ParseText(text, setting.Variable));
        }
        if (variable(ApiKeysVariable) is { Length: > 0 } keys)
            configuration.ApiKeys = ParseApiKeys(keys);
        return configuration;
    }

    /// <summary>This configuration with every setting <paramref name="over"/> sets replaced by its value (API keys merged).</summary>
    /// <exception cref="FormatException">A key names one owner here and another in <paramref name="over"/>.</exception>
    public ServeConfiguration Overlay(ServeConfiguration over)
    {
        ArgumentNullException.ThrowIfNull(over);
        return new ServeConfiguration
        {
            Grpc = over.Grpc ?? Grpc,
            Http = over.Http ?? Http,
            Data = over.Data ?? Data,
            Insecure = over.Insecure ?? Insecure,
            TlsCertificate = over.TlsCertificate ?? TlsCertificate,
            TlsKey = over.TlsKey ?? TlsKey,
            CgroupGroup = over.CgroupGroup ?? CgroupGroup,
            StateDirectory = over.StateDirectory ?? StateDirectory,
            RegisterAllowedDirectories = over.RegisterAllowedDirectories ?? RegisterAllowedDirectories,
            DefaultRuntime = over.DefaultRuntime ?? DefaultRuntime,
            DefaultImage = over.DefaultImage ?? DefaultImage,
            DefaultNetwork = over.DefaultNetwork ?? DefaultNetwork,
            DefaultExpiry = over.DefaultExpiry ?? DefaultExpiry,
            ExecTimeout = over.ExecTimeout ?? ExecTimeout,
            Memory = over.Memory ?? Memory,
            Cpus = over.Cpus ?? Cpus,
            CpuShares = over.CpuShares ?? CpuShares,
            Pids = over.Pids ?? Pids,
            TmpSize = over.TmpSize ?? TmpSize,
            DeltaSize = over.DeltaSize ?? DeltaSize,
            MaxSandboxesPerOwner = over.MaxSandboxesPerOwner ?? MaxSandboxesPerOwner,
            MaxArchiveSize = over.MaxArchiveSize ?? MaxArchiveSize,
            MetricsEnabled = over.MetricsEnabled ?? MetricsEnabled,
            OtlpEndpoint = over.OtlpEndpoint ?? OtlpEndpoint,
            OtlpProtocol = over.OtlpProtocol ?? OtlpProtocol,
            LogFormat = over.LogFormat ?? LogFormat,
            LogLevel = over.LogLevel ?? LogLevel,
            AuditMaxEntries = over.AuditMaxEntries ?? AuditMaxEntries,
            AuditRetention = over.AuditRetention ?? AuditRetention,
            AuditExportPath = over.AuditExportPath ?? AuditExportPath,
            ShutdownGrace = over.ShutdownGrace ?? ShutdownGrace,
            ExpiryInterval = over.ExpiryInterval ?? ExpiryInterval,
            ApiKeys = Merge(ApiKeys, over.ApiKeys),
        };
    }

    /// <summary>Parses <c>owner1:key1,owner2:key2</c> (empty entries are skipped).</summary>
    /// <exception cref="FormatException">An entry without an owner or a key, or a key given twice.</exception>
    public static IReadOnlyDictionary<string, string> ParseApiKeys(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries))
        {
            index++;
            if (entry.Length == 0)
                continue;
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                throw new FormatException($"{ApiKeysVariable}: entry {index} is not OWNER:KEY");
            AddKey(keys, entry[(colon + 1)..], entry[..colon], $"{ApiKeysVariable}: entry {index}");
        }
        return keys;
    }

    /// <summary>The keys of <paramref name="first"/> and <paramref name="second"/>; a key in both must name the same owner.</summary>
    /// <exception cref="FormatException">A key names two owners.</exception>
    public static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var keys = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var (key, owner) in second)
        {
            if (keys.TryGetValue(key, out var existing) && existing != owner)
                throw new FormatException($"an API key of owner '{owner}' is also configured for owner '{existing}'");
            keys[key] = owner;
        }
        return keys;
    }

    private static void AddKey(Dictionary<string, string> keys, string key, string owner, string where)
    {
        if (owner.Length == 0)
            throw new FormatException($"{where}: the owner is empty");
        if (key.Length == 0)
            throw new FormatException($"{where}: the key of owner '{owner}' is empty");
        if (key.Any(char.IsWhiteSpace))
            throw new FormatException($"{where}: the key of owner '{owner}' contains whitespace");
        if (!keys.TryAdd(key, owner))
            throw new FormatException($"{where}: the key of owner '{owner}' is given twice");
    }

    private static JsonDocumentOptions DocumentOptions => new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
}
