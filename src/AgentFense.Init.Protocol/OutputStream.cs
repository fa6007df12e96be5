namespace AgentFense.Init.Protocol;

/// <summary>Which output stream a chunk belongs to.</summary>
public enum OutputStream : byte
{
    /// <summary>Standard output (or the PTY).</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,
}
