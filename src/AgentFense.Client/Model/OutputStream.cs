namespace AgentFense;

/// <summary>The stream a piece of output came from.</summary>
public enum OutputStream
{
    /// <summary>Neither (the exit item).</summary>
    None = 0,

    /// <summary>Standard output.</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,
}
