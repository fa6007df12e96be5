namespace AgentFense.Embedded;

/// <summary>How the in-process engine is set up.</summary>
public sealed record EmbeddedOptions
{
    /// <summary>The environment variable naming the agentfense-init binary.</summary>
    public const string InitPathVariable = "AGENTFENSE_INIT_PATH";

    /// <summary>
    /// The NativeAOT <c>agentfense-init</c> binary (PID 1 of every box); null: <see cref="InitPathVariable"/>, else
    /// <c>agentfense-init</c> next to the application, else <c>.build/init/agentfense-init</c> of a repository
    /// checkout above the working directory.
    /// </summary>
    public string? InitPath { get; init; }

    /// <summary>
    /// The engine's data directory (deltas, mounts); null: a directory of this process under
    /// <c>/var/lib/agentfense/embedded/</c> (as root), removed when the engine stops. One engine per directory.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The cgroup group of the boxes; null: one of this process, so two applications never sweep each other's boxes.</summary>
    public string? CgroupGroupName { get; init; }

    /// <summary>Where the engine reports what it cannot return to a caller (FUSE problems, teardown failures); null: nowhere.</summary>
    public Action<string>? Log { get; init; }
}
