namespace AgentFense.Policy;

/// <summary>How a rule's pattern is matched against a path.</summary>
public enum PatternType
{
    /// <summary>A glob: <c>*</c>, <c>?</c>, <c>**</c>, classes and escapes, anchored at the codebase root.</summary>
    Glob = 0,

    /// <summary>A directory path: covers the directory and everything beneath it.</summary>
    Directory = 1,

    /// <summary>A file path: matches exactly that one path (taken literally, no wildcards).</summary>
    File = 2,
}
