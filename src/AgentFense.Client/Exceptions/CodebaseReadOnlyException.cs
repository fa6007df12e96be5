using Grpc.Core;

namespace AgentFense;

/// <summary>The codebase is registered in place over a host directory and cannot be written (a commit into it is refused).</summary>
public class CodebaseReadOnlyException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public CodebaseReadOnlyException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.FailedPrecondition)
        : base(message, statusCode, reason, innerException)
    {
    }
}
