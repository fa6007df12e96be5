using System.Text;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Boxes;
using EngineExecOptions = AgentFense.Runtime.Init.ExecOptions;
using EngineExecResult = AgentFense.Runtime.Init.ExecResult;
using EngineRule = AgentFense.Policy.PermissionRule;
using EnginePermission = AgentFense.Policy.Permission;
using EnginePatternType = AgentFense.Policy.PatternType;

namespace AgentFense.Embedded.Internal;

/// <summary>Conversions between the SDK's records and the engine's types, with the checks the server makes.</summary>
internal static class EngineMapping
{
    public static EngineRule ToEngine(Rule rule)
    {
        if (string.IsNullOrEmpty(rule.Pattern))
            throw new InvalidConfigurationException("a permission rule has no pattern", "INVALID_RULE");
        if (!Enum.IsDefined(rule.Permission))
            throw new InvalidConfigurationException($"rule '{rule.Pattern}' has no valid permission", "INVALID_RULE");
        if (!Enum.IsDefined(rule.Type))
            throw new InvalidConfigurationException($"rule '{rule.Pattern}' has no valid pattern type", "INVALID_RULE");
        // Paths are relative to the codebase root: "/src/**" and "src/**" are the same rule.
        var pattern = rule.Pattern.Length > 1 ? rule.Pattern.TrimStart('/') : rule.Pattern;
        return new EngineRule(pattern.Length == 0 ? rule.Pattern : pattern, (EnginePermission)((int)rule.Permission - 1), (EnginePatternType)((int)rule.Type - 1), rule.Priority);
    }

    public static BoxLimits ToLimits(SandboxOptions options)
    {
        var r = options.Resources ?? new ResourceLimits();
        if (r.MemoryBytes < 0 || r.CpuQuota < 0 || r.CpuShares < 0 || r.PidsLimit < 0 || options.TmpSizeBytes < 0 || options.DeltaSizeBytes < 0)
            throw new InvalidArgumentException("resource limits may not be negative", "INVALID_ARGUMENT");
        var limits = new BoxLimits
        {
            MemoryBytes = r.MemoryBytes > 0 ? r.MemoryBytes : null,
            CpuQuotaMicroseconds = r.CpuQuota > 0 ? r.CpuQuota : null,
            CpuShares = r.CpuShares > 0 ? r.CpuShares : null,
            PidsMax = r.PidsLimit > 0 ? r.PidsLimit : null,
        };
        return options.TmpSizeBytes is > 0 and { } tmp ? limits with { TmpSizeBytes = tmp } : limits;
    }

    /// <summary>The engine's options of a command; <paramref name="boxEnvironment"/> is completed by <see cref="CommandOptions.Env"/>.</summary>
    public static EngineExecOptions ToExec(string command, CommandOptions options, IReadOnlyList<string> boxEnvironment)
    {
        if (string.IsNullOrEmpty(command))
            throw new InvalidArgumentException("the command is empty", "INVALID_ARGUMENT");
        if (options.Timeout is { } t && t < TimeSpan.Zero)
            throw new InvalidArgumentException("timeout may not be negative", "INVALID_ARGUMENT");
        var workdir = options.WorkingDirectory;
        if (workdir is not null && workdir.Contains('\0', StringComparison.Ordinal))
            throw new InvalidArgumentException("workdir contains NUL", "INVALID_ARGUMENT");
        ReadOnlyMemory<byte>? stdin = options.StdinBytes is { } bytes ? bytes : options.Stdin is { Length: > 0 } text ? Encoding.UTF8.GetBytes(text) : null;
        return new EngineExecOptions
        {
            Command = command,
            Environment = MergeEnvironment(boxEnvironment, options.Env),
            WorkingDirectory = string.IsNullOrEmpty(workdir) ? null : workdir.StartsWith('/') ? workdir : "/workspace/" + workdir,
            Stdin = stdin,
            Timeout = options.Timeout is { } timeout && timeout > TimeSpan.Zero ? timeout : null,
        };
    }

    /// <summary>The box's variables with <paramref name="added"/> set over them.</summary>
    public static IReadOnlyList<string> MergeEnvironment(IReadOnlyList<string> box, IReadOnlyDictionary<string, string> added)
    {
        foreach (var (key, value) in added)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                throw new InvalidArgumentException($"environment variable '{key}' is not valid", "INVALID_ARGUMENT");
        }
        if (added.Count == 0)
            return box;
        return [.. box.Where(e => !added.ContainsKey(e[..Math.Max(0, e.IndexOf('=', StringComparison.Ordinal))])), .. added.Select(p => $"{p.Key}={p.Value}")];
    }

    public static CommandResult ToResult(EngineExecResult r) => new()
    {
        ExitCode = r.ExitCode,
        Stdout = Encoding.UTF8.GetString(r.Stdout),
        Stderr = Encoding.UTF8.GetString(r.Stderr),
        StdoutBytes = r.Stdout,
        StderrBytes = r.Stderr,
        Duration = TimeSpan.FromMicroseconds(r.Exit.DurationMicros),
        StdoutTruncated = (r.Exit.Flags & ExitFlags.StdoutTruncated) != 0,
        StderrTruncated = (r.Exit.Flags & ExitFlags.StderrTruncated) != 0,
    };

    public static CommandExit ToExit(ExitStatus exit) =>
        new(exit.ShellExitCode, TimeSpan.FromMicroseconds(exit.DurationMicros), (exit.Flags & ExitFlags.StdoutTruncated) != 0, (exit.Flags & ExitFlags.StderrTruncated) != 0);

    public static bool TimedOut(ExitStatus exit) => (exit.Flags & ExitFlags.TimedOut) != 0;

    public static CommandTimeoutException Timeout(string command, TimeSpan? timeout) =>
        new($"the command ran past its timeout of {timeout}", "COMMAND_TIMEOUT") { Command = command };
}
