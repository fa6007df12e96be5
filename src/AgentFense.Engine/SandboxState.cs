namespace AgentFense.Engine;

/// <summary>Where a sandbox is in its lifecycle.</summary>
public enum SandboxState
{
    /// <summary>Created: validated and registered; nothing runs and nothing is mounted.</summary>
    Created,

    /// <summary>Running: the policy view is mounted and the box's init is ready for commands.</summary>
    Running,

    /// <summary>Stopped: box and mount are gone; the delta is kept for the next start.</summary>
    Stopped,
}
