namespace AgentFense.Engine;

/// <summary>Which runtime starts a sandbox's box.</summary>
public enum BoxRuntimeKind
{
    /// <summary>bubblewrap: namespaces, cgroups and seccomp over the host's own system directories.</summary>
    Bwrap,

    /// <summary>Docker: a container from an image, through the Docker Engine API.</summary>
    Docker,
}
