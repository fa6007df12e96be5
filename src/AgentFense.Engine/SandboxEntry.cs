using AgentFense.Runtime.Boxes;
using AgentFense.SandboxFs;

namespace AgentFense.Engine;

/// <summary>
/// The manager's live state of one sandbox: a gate serializing its lifecycle operations, and while it
/// runs, its mount and box.
/// </summary>
internal sealed class SandboxEntry(string id)
{
    public string Id { get; } = id;

    /// <summary>Held by start, stop, destroy, commit and discard; never while a command runs.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The mount while running; null otherwise.</summary>
    public SandboxMount? Mount { get; set; }

    /// <summary>The box while running; null otherwise.</summary>
    public Box? Box { get; set; }

    /// <summary>The metrics label of the running box's runtime (bwrap, docker); null before the first start.</summary>
    public string? RuntimeName { get; set; }

    /// <summary>The box's counters for metrics while running; null otherwise.</summary>
    public Runtime.Diagnostics.BoxStatsReader? Stats { get; set; }

    /// <summary>The box's OOM-kill count last seen by a command's end (a rise names the command's outcome <c>oom</c>).</summary>
    public long OomKillsSeen;

    /// <summary>Set by destroy; a destroyed entry is never used again.</summary>
    public bool Destroyed { get; set; }
}
