namespace AgentFense;

/// <summary>What runs a sandbox's box.</summary>
public enum RuntimeKind
{
    /// <summary>The server's configured default (bwrap in embedded mode).</summary>
    Default = 0,

    /// <summary>bubblewrap: namespaces, cgroups and seccomp on the host's system directories.</summary>
    Bwrap = 1,

    /// <summary>A Docker container of <see cref="SandboxOptions.Image"/>.</summary>
    Docker = 2,
}
