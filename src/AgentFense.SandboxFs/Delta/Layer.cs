namespace AgentFense.SandboxFs.Delta;

/// <summary>Which layer an entry of the merged view is served from.</summary>
public enum Layer
{
    /// <summary>The read-only codebase.</summary>
    Lower,
    /// <summary>The sandbox's delta.</summary>
    Upper,
}
