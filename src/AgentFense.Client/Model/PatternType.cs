namespace AgentFense;

/// <summary>How a rule's pattern is matched against paths relative to the codebase root.</summary>
public enum PatternType
{
    /// <summary>A glob: <c>*</c>, <c>?</c>, <c>**</c>, classes; <c>dir/**</c> also matches <c>dir</c>.</summary>
    Glob = 1,

    /// <summary>A directory and everything beneath it, named literally.</summary>
    Directory = 2,

    /// <summary>Exactly one path, named literally.</summary>
    File = 3,
}
