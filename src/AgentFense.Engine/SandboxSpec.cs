using AgentFense.Policy;
using AgentFense.Runtime.Boxes;
using AgentFense.SandboxFs;

namespace AgentFense.Engine;

/// <summary>What a sandbox is made of: a codebase directory, the rules over it, and its box's settings.</summary>
public sealed record class SandboxSpec
{
    /// <summary>The codebase directory (never written, except by a commit).</summary>
    public required string CodebasePath { get; init; }

    /// <summary>The permission rules of the policy view.</summary>
    public required IReadOnlyList<PermissionRule> Rules { get; init; }

    /// <summary>Resource limits of the box.</summary>
    public BoxLimits Limits { get; init; } = new();

    /// <summary>Variables added to (and overriding) the box's default environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Outbound network through a user-mode NAT; false leaves only loopback.</summary>
    public bool Network { get; init; }

    /// <summary>The most bytes the delta may hold; writes past it fail with ENOSPC.</summary>
    public long DeltaSizeLimit { get; init; } = SandboxFsOptions.DefaultDeltaLimit;

    /// <summary>Where the policy view appears inside the box.</summary>
    public string WorkspacePath { get; init; } = "/workspace";

    /// <summary>Uid commands run as inside the box (also the presented owner of every file in the view).</summary>
    public uint Uid { get; init; } = 1000;

    /// <summary>Gid commands run as inside the box.</summary>
    public uint Gid { get; init; } = 1000;

    /// <summary>The runtime of the box.</summary>
    public BoxRuntimeKind Runtime { get; init; } = BoxRuntimeKind.Bwrap;

    /// <summary>The image of a docker box; null for the docker runtime's default image. Ignored by bwrap.</summary>
    public string? Image { get; init; }
}
