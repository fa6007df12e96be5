using Grpc.Core;

namespace AgentFense;

/// <summary>The codebase still has sandboxes over it.</summary>
public class CodebaseInUseException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public CodebaseInUseException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.FailedPrecondition)
        : base(message, statusCode, reason, innerException)
    {
    }
}
