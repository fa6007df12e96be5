using Grpc.Core;

namespace AgentFense;

/// <summary>The sandbox's box or its init failed (the runtime could not start it, or it died).</summary>
public class SandboxRuntimeException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SandboxRuntimeException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.Internal)
        : base(message, statusCode, reason, innerException)
    {
    }
}
