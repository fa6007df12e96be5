using Grpc.Core;

namespace AgentFense;

/// <summary>An argument of a call is not valid (an empty command, a bad path, a negative timeout); the message names it.</summary>
public class InvalidArgumentException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public InvalidArgumentException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.InvalidArgument)
        : base(message, statusCode, reason, innerException)
    {
    }
}
