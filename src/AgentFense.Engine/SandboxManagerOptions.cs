using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Docker;

namespace AgentFense.Engine;

/// <summary>How a <see cref="SandboxManager"/> is set up.</summary>
public sealed record class SandboxManagerOptions
{
    /// <summary>
    /// The data directory (<c>deltas/</c>, <c>mounts/</c>); null for <see cref="DefaultDataDirectory"/>.
    /// One manager at a time may use a data directory.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>Host path of the NativeAOT agentfense-init binary, PID 1 of every box.</summary>
    public required string InitPath { get; init; }

    /// <summary>
    /// The name of the cgroup group holding this manager's boxes (below the manager's own cgroup); leftovers
    /// in it are swept at start, so two managers must not share one.
    /// </summary>
    public string CgroupGroupName { get; init; } = "agentfense";

    /// <summary>Host-side settings of the bwrap runtime (its <c>Cgroups</c> default to <see cref="CgroupGroupName"/>).</summary>
    public BubblewrapRuntimeOptions? Bubblewrap { get; init; }

    /// <summary>A runtime to use instead of bwrap (it then sweeps its own leftovers).</summary>
    public IBoxRuntime? Runtime { get; init; }

    /// <summary>
    /// Host-side settings of the docker runtime, made when a docker sandbox first starts (its <c>GroupName</c>
    /// defaults to <see cref="CgroupGroupName"/>, its <c>StateDirectory</c> to the bwrap runtime's). Its leftover
    /// containers are removed at start when the daemon answers.
    /// </summary>
    public DockerRuntimeOptions? Docker { get; init; }

    /// <summary>The registry of sandbox records; null for an <see cref="InMemorySandboxRegistry"/>.</summary>
    public ISandboxRegistry? Registry { get; init; }

    /// <summary>
    /// The most bytes <see cref="SandboxManager.ReadFileAsync"/> returns; a larger file is refused with
    /// <see cref="Files.ViewFileError.TooLarge"/> (a read answers in one message, held in memory). 64 MiB by default.
    /// </summary>
    public long MaxFileReadBytes { get; init; } = DefaultMaxFileReadBytes;

    /// <summary>The default of <see cref="MaxFileReadBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxFileReadBytes = 64L * 1024 * 1024;

    /// <summary>Where the manager reports what it cannot return to a caller (FUSE problems, teardown failures).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// <c>/var/lib/agentfense</c> as root, else <c>$XDG_DATA_HOME/agentfense</c> or
    /// <c>~/.local/share/agentfense</c>.
    /// </summary>
    public static string DefaultDataDirectory
    {
        get
        {
            if (HostProcess.IsRoot)
                return "/var/lib/agentfense";
            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(home, ".local", "share"), "agentfense");
        }
    }
}
