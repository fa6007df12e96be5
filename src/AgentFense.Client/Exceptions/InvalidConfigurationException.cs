using Grpc.Core;

namespace AgentFense;

/// <summary>A sandbox's configuration is not valid: a bad permission rule, an unknown preset, a runtime the server does not offer, missing parts of the embedded engine.</summary>
public class InvalidConfigurationException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public InvalidConfigurationException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.InvalidArgument)
        : base(message, statusCode, reason, innerException)
    {
    }
}
