using Grpc.Core;

namespace AgentFense;

/// <summary>No background process with the given id in the sandbox.</summary>
public class ProcessNotFoundException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public ProcessNotFoundException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.NotFound)
        : base(message, statusCode, reason, innerException)
    {
    }
}
