namespace AgentFense;

/// <summary>
/// How a sandbox is made, and where: rules (a preset and more rules), runtime, limits, labels, expiry, network,
/// and the backend (a server, or the in-process engine).
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>The preset the rules start from; null: <see cref="Presets.AgentSafe"/> unless <see cref="Rules"/> are given alone.</summary>
    public Preset? Preset { get; init; }

    /// <summary>Rules after the preset's (or alone, when <see cref="Preset"/> is null).</summary>
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    /// <summary>What runs the box.</summary>
    public RuntimeKind Runtime { get; init; }

    /// <summary>The container image of a Docker box.</summary>
    public string? Image { get; init; }

    /// <summary>cgroup limits of the box.</summary>
    public ResourceLimits? Resources { get; init; }

    /// <summary>Labels to find the sandbox by (<see cref="SandboxClient.ListSandboxesAsync"/> takes a selector).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The server destroys the sandbox this long after its creation; null: never.</summary>
    public TimeSpan? ExpiresIn { get; init; }

    /// <summary>Outbound network from the box (user-mode NAT); false leaves only loopback.</summary>
    public bool Network { get; init; }

    /// <summary>Size of the box's <c>/tmp</c>; null: the default.</summary>
    public long? TmpSizeBytes { get; init; }

    /// <summary>Most bytes the sandbox's delta may hold (writes past it fail with ENOSPC); null: the default.</summary>
    public long? DeltaSizeBytes { get; init; }

    /// <summary>The server to use; null: <c>AGENTFENSE_ENDPOINT</c>, else the in-process engine when AgentFense.Embedded is referenced.</summary>
    public SandboxClientOptions? Client { get; init; }

    /// <summary>A backend to use instead of choosing one (a shared <see cref="RemoteBackend"/>, an embedded one).</summary>
    public ISandboxBackend? Backend { get; init; }

    /// <summary>Reports upload progress of <see cref="Sandbox.FromLocalAsync"/> against a server.</summary>
    public IProgress<UploadProgress>? UploadProgress { get; init; }

    /// <summary>
    /// Names of ignore files honoured in every directory by <see cref="Sandbox.FromLocalAsync"/> (gitignore
    /// syntax); <c>.git</c> itself is never taken.
    /// </summary>
    public IReadOnlyList<string> IgnoreFiles { get; init; } = [".gitignore", ".agentfenseignore"];

    /// <summary>The effective rules: the preset's extended by <see cref="Rules"/>, or the rules alone.</summary>
    public IReadOnlyList<Rule> EffectiveRules() =>
        Preset is { } preset ? [.. preset.Rules, .. Rules] : Rules.Count > 0 ? Rules : Presets.AgentSafe.Rules;
}
