using AgentFense.Engine;
using AgentFense.Runtime.Boxes;
using AgentFense.Server.Observability;

namespace AgentFense.Server.Configuration;

public sealed partial class ServeConfiguration
{
    /// <summary>
    /// The server options these settings describe; unset settings take the defaults of <see cref="ServerOptions"/>
    /// (the data directory: <see cref="SandboxManagerOptions.DefaultDataDirectory"/>).
    /// </summary>
    /// <exception cref="FormatException">A value out of range, a TLS key without a certificate, a relative directory…</exception>
    public ServerOptions ToServerOptions(string initPath, Action<string>? log = null)
    {
        var defaults = new ServerOptions { DataDirectory = "", InitPath = initPath };
        if (TlsKey is not null && TlsCertificate is null)
            throw new FormatException("tls.key is set without tls.certificate");
        if (TlsCertificate is not null)
            TlsCertificates.Load(TlsCertificate, TlsKey).Dispose();
        if (DefaultRuntime is not null and not ("bwrap" or "docker"))
            throw new FormatException($"defaults.runtime '{DefaultRuntime}' is not bwrap or docker");
        if (Memory is < 4L << 20)
            throw new FormatException($"defaults.memory {Memory} is below 4M");
        if (Pids is < 8)
            throw new FormatException($"defaults.pids {Pids} is below 8");
        if (Cpus is < 0.01 or > 1024)
            throw new FormatException($"defaults.cpus {Cpus} is not between 0.01 and 1024");
        if (CpuShares is < 2 or > 262_144)
            throw new FormatException($"defaults.cpuShares {CpuShares} is not between 2 and 262144");
        if (TmpSize is < 1L << 20)
            throw new FormatException($"defaults.tmpSize {TmpSize} is below 1M");
        if (DeltaSize is 0)
            throw new FormatException("defaults.deltaSize is 0");
        if (MaxSandboxesPerOwner is > int.MaxValue)
            throw new FormatException($"limits.maxSandboxesPerOwner {MaxSandboxesPerOwner} is too large");
        if (MaxArchiveSize is 0)
            throw new FormatException("limits.maxArchiveSize is 0");
        if (ExpiryInterval is { } interval && interval < TimeSpan.FromMilliseconds(10))
            throw new FormatException("timeouts.expiryInterval is below 10ms");
        foreach (var directory in RegisterAllowedDirectories ?? [])
        {
            if (!Path.IsPathFullyQualified(directory))
                throw new FormatException($"registerAllowedDirectories: '{directory}' is not an absolute path");
        }
        var observability = ToObservability(defaults.Observability);
        return defaults with
        {
            Observability = observability,
            GrpcAddress = Grpc ?? defaults.GrpcAddress,
            HttpAddress = Http ?? defaults.HttpAddress,
            DataDirectory = Data ?? SandboxManagerOptions.DefaultDataDirectory,
            AllowNonLoopback = Insecure ?? false,
            ApiKeys = ApiKeys,
            TlsCertificatePath = TlsCertificate,
            TlsKeyPath = TlsKey,
            CgroupGroupName = CgroupGroup is null ? defaults.CgroupGroupName : CheckedGroup(CgroupGroup),
            BubblewrapStateDirectory = StateDirectory,
            RegisterAllowedDirectories = RegisterAllowedDirectories ?? [],
            DefaultRuntime = DefaultRuntime ?? defaults.DefaultRuntime,
            DefaultImage = DefaultImage,
            DefaultNetwork = DefaultNetwork ?? false,
            DefaultExpiry = DefaultExpiry is { } expiry && expiry > TimeSpan.Zero ? expiry : null,
            DefaultExecTimeout = ExecTimeout is { } timeout && timeout > TimeSpan.Zero ? timeout : null,
            DefaultLimits = new BoxLimits
            {
                MemoryBytes = Memory,
                CpuQuotaMicroseconds = Cpus is { } cpus ? (long)Math.Round(cpus * BoxLimits.DefaultCpuPeriodMicroseconds) : null,
                CpuShares = CpuShares,
                PidsMax = Pids,
                TmpSizeBytes = TmpSize ?? new BoxLimits().TmpSizeBytes,
            },
            DefaultDeltaSizeBytes = DeltaSize ?? defaults.DefaultDeltaSizeBytes,
            MaxSandboxesPerOwner = (int)(MaxSandboxesPerOwner ?? 0),
            MaxArchiveBytes = MaxArchiveSize ?? defaults.MaxArchiveBytes,
            ShutdownGrace = ShutdownGrace ?? defaults.ShutdownGrace,
            ExpiryInterval = ExpiryInterval ?? defaults.ExpiryInterval,
            Log = log,
        };
    }

    private ObservabilityOptions ToObservability(ObservabilityOptions defaults)
    {
        var level = Microsoft.Extensions.Logging.LogLevel.Warning;
        if (LogLevel is not null && (!Enum.TryParse(LogLevel, ignoreCase: true, out level) || level == Microsoft.Extensions.Logging.LogLevel.None || int.TryParse(LogLevel, out _)))
            throw new FormatException($"logging.level '{LogLevel}' is not trace, debug, information, warning, error or critical");
        if (AuditMaxEntries is < 1 or > int.MaxValue)
            throw new FormatException($"audit.maxEntriesPerSandbox {AuditMaxEntries} is not between 1 and {int.MaxValue}");
        if (AuditExportPath is not null && !Path.IsPathFullyQualified(AuditExportPath))
            throw new FormatException($"audit.exportPath '{AuditExportPath}' is not an absolute path");
        var options = defaults with
        {
            MetricsEnabled = MetricsEnabled ?? defaults.MetricsEnabled,
            OtlpEndpoint = OtlpEndpoint ?? defaults.OtlpEndpoint,
            OtlpProtocol = OtlpProtocol ?? defaults.OtlpProtocol,
            LogFormat = LogFormat ?? defaults.LogFormat,
            LogLevel = LogLevel is null ? defaults.LogLevel : level,
            AuditMaxEntriesPerSandbox = (int)(AuditMaxEntries ?? defaults.AuditMaxEntriesPerSandbox),
            AuditRetention = AuditRetention ?? defaults.AuditRetention,
            AuditExportPath = AuditExportPath ?? defaults.AuditExportPath,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            // Validate names the value; say which settings hold it.
            throw new FormatException($"logging/tracing/audit settings: {e.Message}");
        }
        return options;
    }

    /// <summary>
    /// The cgroup group must be one path component of safe characters: the server sweeps everything left in it at
    /// start, so it may not reach anything else.
    /// </summary>
    private static string CheckedGroup(string group) =>
        group.Length <= 64 && group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? group
            : throw new FormatException($"cgroupGroup '{group}' must be 1-64 letters, digits, '-' or '_'");
}
