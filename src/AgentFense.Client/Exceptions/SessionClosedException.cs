using Grpc.Core;

namespace AgentFense;

/// <summary>The shell session has ended (closed, its shell exited, or its sandbox stopped).</summary>
public class SessionClosedException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SessionClosedException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.FailedPrecondition)
        : base(message, statusCode, reason, innerException)
    {
    }
}
