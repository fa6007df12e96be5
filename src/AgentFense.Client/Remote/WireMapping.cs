using AgentFense.Api.V1;
using Google.Protobuf.WellKnownTypes;
using WirePermission = AgentFense.Api.V1.Permission;
using WirePatternType = AgentFense.Api.V1.PatternType;
using WireSandbox = AgentFense.Api.V1.Sandbox;
using WireStatus = AgentFense.Api.V1.SandboxStatus;
using WireLimits = AgentFense.Api.V1.ResourceLimits;

namespace AgentFense.Remote;

/// <summary>Conversions between the SDK's records and the wire messages.</summary>
internal static class WireMapping
{
    public static PermissionRule ToWire(Rule rule) => new()
    {
        Pattern = rule.Pattern,
        Permission = (WirePermission)(int)rule.Permission,
        Type = (WirePatternType)(int)rule.Type,
        Priority = rule.Priority,
    };

    public static Rule FromWire(PermissionRule rule) =>
        new(rule.Pattern, (Permission)(int)rule.Permission, rule.Type == WirePatternType.Unspecified ? PatternType.Glob : (PatternType)(int)rule.Type, rule.Priority);

    public static CreateSandboxRequest ToCreateRequest(string codebaseId, SandboxOptions options)
    {
        var request = new CreateSandboxRequest
        {
            CodebaseId = codebaseId,
            Runtime = (RuntimeType)(int)options.Runtime,
            Image = options.Image ?? "",
            Network = options.Network,
            TmpSizeBytes = options.TmpSizeBytes ?? 0,
            DeltaSizeBytes = options.DeltaSizeBytes ?? 0,
        };
        request.Permissions.AddRange(options.EffectiveRules().Select(ToWire));
        foreach (var (key, value) in options.Labels)
            request.Labels[key] = value;
        if (options.ExpiresIn is { } expires)
            request.ExpiresIn = Duration.FromTimeSpan(expires);
        if (options.Resources is { } r)
            request.Resources = new WireLimits { MemoryBytes = r.MemoryBytes ?? 0, CpuQuota = r.CpuQuota ?? 0, CpuShares = r.CpuShares ?? 0, PidsLimit = r.PidsLimit ?? 0 };
        return request;
    }

    public static SandboxInfo FromWire(WireSandbox s) => new()
    {
        Id = s.Id,
        CodebaseId = s.CodebaseId,
        Status = s.Status switch
        {
            WireStatus.Pending => SandboxStatus.Pending,
            WireStatus.Running => SandboxStatus.Running,
            WireStatus.Stopped => SandboxStatus.Stopped,
            WireStatus.Error => SandboxStatus.Error,
            _ => SandboxStatus.Unknown,
        },
        Rules = [.. s.Permissions.Select(FromWire)],
        Labels = new Dictionary<string, string>(s.Labels),
        CreatedAt = Time(s.CreatedAt) ?? default,
        StartedAt = Time(s.StartedAt),
        StoppedAt = Time(s.StoppedAt),
        ExpiresAt = Time(s.ExpiresAt),
        Runtime = (RuntimeKind)(int)s.Runtime,
        Image = s.Image.Length == 0 ? null : s.Image,
        Resources = s.Resources is { } r
            ? new ResourceLimits(Positive(r.MemoryBytes), Positive(r.CpuQuota), Positive(r.CpuShares), Positive(r.PidsLimit))
            : null,
        Network = s.Network,
        StatusReason = s.StatusReason.Length == 0 ? null : s.StatusReason,
    };

    public static CodebaseInfo FromWire(Codebase c) =>
        new(c.Id, c.Name, c.Size, c.FileCount, c.ReadOnly, c.HostPath.Length == 0 ? null : c.HostPath);

    public static ExecRequest ToExecRequest(string sandboxId, string command, CommandOptions options)
    {
        var request = new ExecRequest { SandboxId = sandboxId, Command = command, Workdir = options.WorkingDirectory ?? "" };
        foreach (var (key, value) in options.Env)
            request.Env[key] = value;
        if (options.StdinBytes is { } bytes)
            request.StdinBytes = Google.Protobuf.ByteString.CopyFrom(bytes.Span);
        else if (options.Stdin is { } text)
            request.Stdin = text;
        if (options.Timeout is { } timeout)
            request.Timeout = Duration.FromTimeSpan(timeout);
        return request;
    }

    public static CommandResult FromWire(ExecResult r) => new()
    {
        ExitCode = r.ExitCode,
        Stdout = r.Stdout,
        Stderr = r.Stderr,
        // Servers of the original contract send text only.
        StdoutBytes = r.StdoutBytes.Length > 0 || r.Stdout.Length == 0 ? r.StdoutBytes.Memory : System.Text.Encoding.UTF8.GetBytes(r.Stdout),
        StderrBytes = r.StderrBytes.Length > 0 || r.Stderr.Length == 0 ? r.StderrBytes.Memory : System.Text.Encoding.UTF8.GetBytes(r.Stderr),
        Duration = r.Duration?.ToTimeSpan() ?? TimeSpan.Zero,
        StdoutTruncated = r.StdoutTruncated,
        StderrTruncated = r.StderrTruncated,
    };

    public static OutputChunk FromWire(ExecOutput o) => o.Exit is { } exit
        ? new OutputChunk(OutputStream.None, ReadOnlyMemory<byte>.Empty,
            new CommandExit(exit.ExitCode, exit.Duration?.ToTimeSpan() ?? TimeSpan.Zero, exit.StdoutTruncated, exit.StderrTruncated))
        : new OutputChunk(o.Type == ExecOutput.Types.OutputType.Stderr ? OutputStream.Stderr : OutputStream.Stdout, o.Data.Memory);

    public static FileEntry FromWire(SandboxFileInfo f) =>
        new(f.Path, f.Size, f.IsDirectory, f.IsSymlink, f.Mode, Time(f.ModifiedAt) ?? default);

    public static FileChange FromWire(SandboxChange c) =>
        new(c.Path, (ChangeKind)(int)c.Kind, c.Size, c.IsDirectory);

    public static ProcessInfo FromWire(SandboxProcess p) => new()
    {
        Id = p.Id,
        SandboxId = p.SandboxId,
        Command = p.Command,
        IsRunning = p.Status == SandboxProcessStatus.Running,
        Pid = p.Pid,
        ExitCode = p.Status == SandboxProcessStatus.Exited ? p.ExitCode : null,
        StartedAt = Time(p.StartedAt),
        EndedAt = Time(p.EndedAt),
    };

    public static SessionInfo FromWire(Session s) => new(s.Id, s.SandboxId, s.Shell, s.Status == SessionStatus.Active);

    public static AuditRecord FromWire(SandboxAuditEntry e) => e.Kind == SandboxAuditEntryKind.Command
        ? new(Time(e.Time) ?? default, e.Operation, e.Path, (Permission)(int)e.Level)
        {
            Kind = AuditKind.Command,
            Command = e.Command,
            SessionId = e.SessionId.Length == 0 ? null : e.SessionId,
            ExitCode = e.ExitCode,
            Duration = e.Duration?.ToTimeSpan(),
            Outcome = e.Outcome.Length == 0 ? null : e.Outcome,
        }
        : new(Time(e.Time) ?? default, e.Operation, e.Path, (Permission)(int)e.Level);

    public static DateTimeOffset? Time(Timestamp? t) => t is null ? null : t.ToDateTimeOffset();

    private static long? Positive(long value) => value > 0 ? value : null;
}
