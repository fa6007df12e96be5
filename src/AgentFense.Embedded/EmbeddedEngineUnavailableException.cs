namespace AgentFense.Embedded;

/// <summary>
/// The in-process engine cannot run here; <see cref="Missing"/> says exactly what is missing (root, /dev/fuse,
/// bwrap, the agentfense-init binary), each with what to do about it.
/// </summary>
public sealed class EmbeddedEngineUnavailableException : InvalidConfigurationException
{
    /// <summary>Creates the error listing <paramref name="missing"/>.</summary>
    public EmbeddedEngineUnavailableException(IReadOnlyList<string> missing)
        : base("the embedded AgentFense engine cannot run on this machine: " + string.Join("; ", missing)
            + " (or set AGENTFENSE_ENDPOINT to use a server)", "EMBEDDED_UNAVAILABLE")
    {
        Missing = missing;
    }

    /// <summary>Each missing requirement and how to provide it.</summary>
    public IReadOnlyList<string> Missing { get; }
}
