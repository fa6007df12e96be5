using Grpc.Core;

namespace AgentFense;

/// <summary>The call's own deadline passed before the server answered (not a command's timeout: see CommandTimeoutException).</summary>
public class RequestTimeoutException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public RequestTimeoutException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.DeadlineExceeded)
        : base(message, statusCode, reason, innerException)
    {
    }
}
