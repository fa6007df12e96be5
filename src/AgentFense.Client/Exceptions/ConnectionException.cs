using Grpc.Core;

namespace AgentFense;

/// <summary>The server could not be reached (refused, reset, name not resolved, TLS failed) after the retries.</summary>
public class ConnectionException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public ConnectionException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.Unavailable)
        : base(message, statusCode, reason, innerException)
    {
    }
}
