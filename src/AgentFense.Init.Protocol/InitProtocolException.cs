namespace AgentFense.Init.Protocol;

/// <summary>A frame or payload that does not follow the protocol: the connection cannot continue.</summary>
public sealed class InitProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InitProtocolException(string message)
        : base(message)
    {
    }
}
