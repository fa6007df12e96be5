namespace AgentFense.Policy;

/// <summary>
/// What an agent may do with a path. The values are ordered: each level includes the ones below it.
/// </summary>
public enum Permission
{
    /// <summary>The path does not exist for the agent (absent from listings, ENOENT).</summary>
    None = 0,

    /// <summary>Name and metadata only (<c>ls -l</c>, <c>stat</c>); reading content fails with EACCES.</summary>
    View = 1,

    /// <summary>Content can be read; anything that modifies fails with EACCES.</summary>
    Read = 2,

    /// <summary>Read, create, modify, rename and delete.</summary>
    Write = 3,
}
