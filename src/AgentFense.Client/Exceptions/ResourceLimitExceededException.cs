using Grpc.Core;

namespace AgentFense;

/// <summary>A limit was reached: a file too large to read at once, the delta's size, a quota of the server.</summary>
public class ResourceLimitExceededException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public ResourceLimitExceededException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.ResourceExhausted)
        : base(message, statusCode, reason, innerException)
    {
    }
}
