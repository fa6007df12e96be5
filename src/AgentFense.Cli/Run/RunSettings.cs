using AgentFense.Runtime.Boxes;

namespace AgentFense.Cli.Run;

/// <summary>The checked options of one <c>agentfense run</c>; every bad value is a <see cref="UsageException"/> naming it.</summary>
internal sealed record RunSettings
{
    public required string Directory { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public BoxLimits Limits { get; init; } = new();

    public TimeSpan? Timeout { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public bool Network { get; init; }

    public string? WorkingDirectory { get; init; }

    public bool Diff { get; init; }

    public bool Apply { get; init; }

    public string? ExportPath { get; init; }

    /// <summary>The most bytes the command may write into the delta (ENOSPC past it); null for the default.</summary>
    public long? DeltaSizeLimit { get; init; }

    public static RunSettings Parse(string directory, string[] command, string runtime, string? memory, string? cpus, string? pids,
        string? timeout, string[] env, bool network, string? workdir, bool diff, bool apply, string? export, string? deltaLimit = null)
    {
        long? deltaBytes = deltaLimit is null ? null
            : AgentFense.Server.Configuration.ConfigValues.TryParseSize(deltaLimit, out var delta) ? delta
            : throw new UsageException($"--delta-limit '{deltaLimit}' is not a size (e.g. 512M, 2G)");
        if (!System.IO.Directory.Exists(directory))
            throw new UsageException($"'{directory}' is not a directory");
        if (command.Length == 0)
            throw new UsageException("no command given: agentfense run [OPTIONS] DIR -- COMMAND [ARGS...]");
        if (runtime != "bwrap")
            throw new UsageException($"--runtime '{runtime}' is not supported (available: bwrap)");
        var limits = new BoxLimits
        {
            MemoryBytes = memory is null ? null
                : AgentFense.Server.Configuration.ConfigValues.TryParseSize(memory, out var bytes) && bytes >= 4L << 20 ? bytes
                : throw new UsageException($"--memory '{memory}' is not a size of at least 4M (e.g. 512M, 2G)"),
            CpuQuotaMicroseconds = cpus is null ? null
                : double.TryParse(cpus, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var c) && c >= 0.01 && c <= 1024
                    ? (long)Math.Round(c * BoxLimits.DefaultCpuPeriodMicroseconds)
                    : throw new UsageException($"--cpus '{cpus}' is not a number of CPUs between 0.01 and 1024 (e.g. 0.5, 2)"),
            PidsMax = pids is null ? null
                : long.TryParse(pids, out var p) && p >= 8 ? p
                : throw new UsageException($"--pids '{pids}' is not a process count of at least 8"),
        };
        TimeSpan? limit = timeout is null ? null
            : Durations.TryParse(timeout, out var t) ? t
            : throw new UsageException($"--timeout '{timeout}' is not a duration (e.g. 30s, 500ms, 2m)");
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in env)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || pair.Contains('\0', StringComparison.Ordinal))
                throw new UsageException($"--env '{pair}' is not KEY=VALUE");
            variables[pair[..eq]] = pair[(eq + 1)..];
        }
        if (export is not null && Path.GetDirectoryName(Path.GetFullPath(export)) is { } parent && !System.IO.Directory.Exists(parent))
            throw new UsageException($"--export '{export}': directory '{parent}' does not exist");
        if (workdir is not null && (workdir.Length == 0 || workdir.Contains('\0', StringComparison.Ordinal)))
            throw new UsageException($"--workdir '{workdir}' is not a path");
        return new RunSettings
        {
            DeltaSizeLimit = deltaBytes,
            Directory = Path.GetFullPath(directory),
            Command = command,
            Limits = limits,
            Timeout = limit,
            Environment = variables,
            Network = network,
            WorkingDirectory = workdir,
            Diff = diff,
            Apply = apply,
            ExportPath = export is null ? null : Path.GetFullPath(export),
        };
    }

    /// <summary>The working directory inside the box: relative to the workspace unless absolute.</summary>
    public string ResolveWorkingDirectory(string workspace) =>
        WorkingDirectory is null ? workspace
        : WorkingDirectory.StartsWith('/') ? WorkingDirectory
        : workspace.TrimEnd('/') + "/" + WorkingDirectory;
}
