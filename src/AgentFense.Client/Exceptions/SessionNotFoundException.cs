using Grpc.Core;

namespace AgentFense;

/// <summary>No shell session with the given id.</summary>
public class SessionNotFoundException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SessionNotFoundException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.NotFound)
        : base(message, statusCode, reason, innerException)
    {
    }
}
