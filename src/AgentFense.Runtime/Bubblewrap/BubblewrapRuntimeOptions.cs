using AgentFense.Runtime.Cgroups;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>Host-side settings of <see cref="BubblewrapRuntime"/>.</summary>
public sealed record class BubblewrapRuntimeOptions
{
    /// <summary>The bwrap program (0.8 or newer: <c>--size</c>, <c>--disable-userns</c>).</summary>
    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>setpriv (util-linux), which switches to the box user when the engine runs as root.</summary>
    public string SetprivPath { get; init; } = "/usr/bin/setpriv";

    /// <summary>slirp4netns, the user-mode NAT of boxes with network.</summary>
    public string Slirp4netnsPath { get; init; } = "/usr/bin/slirp4netns";

    /// <summary>
    /// A directory of the engine's own (neutrally named: its path shows in the boxes' mountinfo as
    /// the source of the init binary). The init binary is copied here once, named by its hash.
    /// </summary>
    public string StateDirectory { get; init; } = "/run/agentfense";

    /// <summary>The cgroups of the boxes; null detects the host's hierarchy with group <c>agentfense</c>.</summary>
    public CgroupManager? Cgroups { get; init; }

    /// <summary>How long a box may take to start before it is killed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
