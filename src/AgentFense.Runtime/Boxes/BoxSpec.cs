namespace AgentFense.Runtime.Boxes;

/// <summary>What a box is made of: its workspace, user, environment, limits and network.</summary>
public sealed record class BoxSpec
{
    /// <summary>Unique id of the box ([A-Za-z0-9_-], at most 64 characters); names its cgroup.</summary>
    public required string Id { get; init; }

    /// <summary>Host directory shown at <see cref="WorkspacePath"/> (the policy view's FUSE mount).</summary>
    public required string WorkspaceHostPath { get; init; }

    /// <summary>Where the workspace appears inside the box.</summary>
    public string WorkspacePath { get; init; } = "/workspace";

    /// <summary>Bind the workspace read-only.</summary>
    public bool WorkspaceReadOnly { get; init; }

    /// <summary>Host path of the agentfense-init binary (NativeAOT).</summary>
    public required string InitPath { get; init; }

    /// <summary>Uid commands run as inside the box.</summary>
    public uint Uid { get; init; } = 1000;

    /// <summary>Gid commands run as inside the box.</summary>
    public uint Gid { get; init; } = 1000;

    /// <summary>Name of the sandbox user in the box's <c>/etc/passwd</c> and <c>/etc/group</c>.</summary>
    public string UserName { get; init; } = "sandbox";

    /// <summary>The box's hostname.</summary>
    public string Hostname { get; init; } = "sandbox";

    /// <summary>Variables added to (and overriding) the default environment of every command.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Resource limits.</summary>
    public BoxLimits Limits { get; init; } = new();

    /// <summary>Outbound network through a user-mode NAT; false leaves only loopback.</summary>
    public bool Network { get; init; }

    /// <summary>The image of runtimes that start boxes from one (docker); null for the runtime's default. bwrap ignores it.</summary>
    public string? Image { get; init; }

    /// <summary>The default environment (<c>PATH</c>, <c>HOME</c>, <c>USER</c>, <c>LOGNAME</c>, <c>LANG</c>) merged with <see cref="Environment"/>, as KEY=VALUE.</summary>
    public IReadOnlyList<string> BuildEnvironment()
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
            ["HOME"] = "/tmp",
            ["USER"] = UserName,
            ["LOGNAME"] = UserName,
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (key, value) in Environment)
            merged[key] = value;
        return [.. merged.Select(pair => $"{pair.Key}={pair.Value}")];
    }

    /// <summary>Checks the spec; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (Id.Length is 0 or > 64 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"box id '{Id}' must be 1-64 characters of [A-Za-z0-9_-]", nameof(Id));
        if (!Path.IsPathRooted(WorkspaceHostPath) || !Directory.Exists(WorkspaceHostPath))
            throw new ArgumentException($"workspace '{WorkspaceHostPath}' is not an existing absolute directory", nameof(WorkspaceHostPath));
        if (!WorkspacePath.StartsWith('/') || WorkspacePath == "/" || WorkspacePath.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"workspace path '{WorkspacePath}' must be an absolute path below /", nameof(WorkspacePath));
        if (!File.Exists(InitPath))
            throw new ArgumentException($"init binary '{InitPath}' does not exist", nameof(InitPath));
        if (Uid == 0 || Gid == 0)
            throw new ArgumentException("the box user may not be root", nameof(Uid));
        if (UserName.Length == 0 || UserName.Any(c => c is ':' or '\n' or '/'))
            throw new ArgumentException($"user name '{UserName}' is not valid", nameof(UserName));
        if (Hostname.Length is 0 or > 64 || Hostname.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            throw new ArgumentException($"hostname '{Hostname}' is not valid", nameof(Hostname));
        foreach (var key in Environment.Keys)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
                throw new ArgumentException($"environment name '{key}' is not valid", nameof(Environment));
        }
    }
}
