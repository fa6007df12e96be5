using Grpc.Core;

namespace AgentFense;

/// <summary>A command ran past its timeout and was killed with its process group.</summary>
public class CommandTimeoutException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public CommandTimeoutException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.DeadlineExceeded)
        : base(message, statusCode, reason, innerException)
    {
    }

    /// <summary>The command that timed out, when known.</summary>
    public string? Command { get; init; }
}
