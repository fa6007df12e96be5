namespace AgentFense;

/// <summary>What a rule lets the agent do with the paths it matches.</summary>
public enum Permission
{
    /// <summary>Nothing: the path does not exist for the agent.</summary>
    None = 1,

    /// <summary>See the name and metadata, not the content.</summary>
    View = 2,

    /// <summary>Read the content.</summary>
    Read = 3,

    /// <summary>Read, create, modify, rename, delete (into the sandbox's delta).</summary>
    Write = 4,
}
