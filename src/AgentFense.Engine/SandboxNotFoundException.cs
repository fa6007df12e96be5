namespace AgentFense.Engine;

/// <summary>No sandbox has the given id.</summary>
public sealed class SandboxNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="id"/>.</summary>
    public SandboxNotFoundException(string id)
        : base($"no sandbox '{id}'")
    {
        SandboxId = id;
    }

    /// <summary>The id asked for.</summary>
    public string SandboxId { get; }
}
