using System.Diagnostics;

namespace AgentFense.Engine.Diagnostics;

/// <summary>The engine's spans (activity source <c>AgentFense.Engine</c>): sandbox lifecycle operations and commands.</summary>
public static class EngineTracing
{
    /// <summary>The activity source name to subscribe to.</summary>
    public const string SourceName = "AgentFense.Engine";

    /// <summary>The source of the engine's spans.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Tag naming the sandbox of a span.</summary>
    public const string SandboxTag = "agentfense.sandbox.id";
}
