namespace AgentFense;

/// <summary>A sandbox as the backend knows it.</summary>
public sealed record SandboxInfo
{
    /// <summary>Its id (<c>sb_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The codebase it is a view of.</summary>
    public required string CodebaseId { get; init; }

    /// <summary>Where it is in its life.</summary>
    public SandboxStatus Status { get; init; }

    /// <summary>Its permission rules.</summary>
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    /// <summary>Its labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it last stopped.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>When the server destroys it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What runs its box.</summary>
    public RuntimeKind Runtime { get; init; }

    /// <summary>The image of a Docker box.</summary>
    public string? Image { get; init; }

    /// <summary>Its box's limits.</summary>
    public ResourceLimits? Resources { get; init; }

    /// <summary>Whether the box has outbound network.</summary>
    public bool Network { get; init; }

    /// <summary>Why the status is <see cref="SandboxStatus.Error"/>, or what happened to a running sandbox.</summary>
    public string? StatusReason { get; init; }
}
