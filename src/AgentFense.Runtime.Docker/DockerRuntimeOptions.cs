namespace AgentFense.Runtime.Docker;

/// <summary>Host-side settings of <see cref="DockerRuntime"/>.</summary>
public sealed record class DockerRuntimeOptions
{
    /// <summary>The Docker Engine API endpoint; null for <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The image of a box whose spec names none; null refuses such boxes.</summary>
    public string? DefaultImage { get; init; }

    /// <summary>
    /// A directory of the engine's own: the init binary is copied to <c>init/</c> (named by its hash), and each
    /// box gets <c>docker/&lt;id&gt;/</c> holding the socket its init connects back to.
    /// </summary>
    public string StateDirectory { get; init; } = "/run/agentfense";

    /// <summary>
    /// Marks this runtime's containers (label <c>io.agentfense.group</c>); containers with this group are
    /// removed by <see cref="DockerRuntime.SweepAsync"/>, so two engines must not share one.
    /// </summary>
    public string GroupName { get; init; } = "agentfense";

    /// <summary>The Docker network of boxes that ask for network (<c>bridge</c>: Docker's default NAT); others get <c>none</c>.</summary>
    public string NetworkMode { get; init; } = "bridge";

    /// <summary>How long a box may take from create to its init's Hello before it is removed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
