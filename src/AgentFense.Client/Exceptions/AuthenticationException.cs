using Grpc.Core;

namespace AgentFense;

/// <summary>The server refused the API key (missing, unknown or revoked).</summary>
public class AuthenticationException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public AuthenticationException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.Unauthenticated)
        : base(message, statusCode, reason, innerException)
    {
    }
}
