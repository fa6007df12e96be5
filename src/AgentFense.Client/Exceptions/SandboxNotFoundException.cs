using Grpc.Core;

namespace AgentFense;

/// <summary>No sandbox with the given id (or it belongs to another owner).</summary>
public class SandboxNotFoundException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public SandboxNotFoundException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.NotFound)
        : base(message, statusCode, reason, innerException)
    {
    }
}
