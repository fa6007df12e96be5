namespace AgentFense;

/// <summary>What a sandbox did to a path of its codebase.</summary>
public enum ChangeKind
{
    /// <summary>Unknown to this SDK.</summary>
    Unknown = 0,

    /// <summary>Created.</summary>
    Added = 1,

    /// <summary>Changed.</summary>
    Modified = 2,

    /// <summary>Removed.</summary>
    Deleted = 3,
}
