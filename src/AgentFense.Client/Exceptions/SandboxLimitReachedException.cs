using Grpc.Core;

namespace AgentFense;

/// <summary>The owner has as many sandboxes as the server allows.</summary>
public class SandboxLimitReachedException : ResourceLimitExceededException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SandboxLimitReachedException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.ResourceExhausted)
        : base(message, reason, innerException, statusCode)
    {
    }
}
