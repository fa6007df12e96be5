using Grpc.Core;

namespace AgentFense;

/// <summary>The sandbox's policy refuses the operation on the path (it may be seen but not read, or read but not written).</summary>
public class PermissionDeniedException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public PermissionDeniedException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.PermissionDenied)
        : base(message, statusCode, reason, innerException)
    {
    }
}
