using System.Diagnostics;

namespace AgentFense.Runtime.Diagnostics;

/// <summary>
/// The runtime's spans (activity source <c>AgentFense.Runtime</c>): a box starting and each command a box runs.
/// Without a listener <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs a check.
/// </summary>
public static class RuntimeTracing
{
    /// <summary>The activity source name to subscribe to.</summary>
    public const string SourceName = "AgentFense.Runtime";

    /// <summary>The source of the runtime's spans.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of a box starting (null when nobody listens).</summary>
    public static Activity? StartBox(string boxId)
    {
        var activity = Source.StartActivity("box.start");
        activity?.SetTag("agentfense.sandbox.id", boxId);
        return activity;
    }
}
