namespace AgentFense.Engine;

/// <summary>The sandbox is not in a state that allows the operation (e.g. exec on a stopped sandbox).</summary>
public sealed class SandboxStateException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SandboxStateException(string id, SandboxState state, string message)
        : base(message)
    {
        SandboxId = id;
        State = state;
    }

    /// <summary>The sandbox.</summary>
    public string SandboxId { get; }

    /// <summary>Its state when the operation was refused.</summary>
    public SandboxState State { get; }
}
