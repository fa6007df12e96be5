using Grpc.Core;

namespace AgentFense;

/// <summary>The operation needs a running sandbox and this one is not (pending, stopped or in error).</summary>
public class SandboxNotRunningException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SandboxNotRunningException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.FailedPrecondition)
        : base(message, statusCode, reason, innerException)
    {
    }
}
