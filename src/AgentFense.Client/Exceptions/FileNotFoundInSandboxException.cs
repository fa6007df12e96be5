using Grpc.Core;

namespace AgentFense;

/// <summary>The path does not exist in the sandbox's view (hidden by the policy, or absent).</summary>
public class FileNotFoundInSandboxException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public FileNotFoundInSandboxException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.NotFound)
        : base(message, statusCode, reason, innerException)
    {
    }
}
