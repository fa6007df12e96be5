using Grpc.Core;

namespace AgentFense;

/// <summary>The server's configuration does not allow the operation (e.g. registering a host directory outside the allowed ones).</summary>
public class OperationNotAllowedException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public OperationNotAllowedException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.PermissionDenied)
        : base(message, statusCode, reason, innerException)
    {
    }
}
