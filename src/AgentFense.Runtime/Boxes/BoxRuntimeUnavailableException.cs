namespace AgentFense.Runtime.Boxes;

/// <summary>The service a runtime needs (the Docker daemon) cannot be reached; boxes of other runtimes are not affected.</summary>
public sealed class BoxRuntimeUnavailableException : BoxException
{
    /// <summary>Creates the exception naming <paramref name="runtime"/> and where it was looked for.</summary>
    public BoxRuntimeUnavailableException(string runtime, string endpoint, string message, Exception? inner = null)
        : base(message, inner)
    {
        Runtime = runtime;
        Endpoint = endpoint;
    }

    /// <summary>The runtime's name (<c>docker</c>).</summary>
    public string Runtime { get; }

    /// <summary>Where the runtime tried to reach its service (the daemon's socket).</summary>
    public string Endpoint { get; }
}
