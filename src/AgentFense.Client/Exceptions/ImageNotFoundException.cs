using Grpc.Core;

namespace AgentFense;

/// <summary>The container image of a Docker sandbox does not exist and could not be pulled.</summary>
public class ImageNotFoundException : AgentFenseException
{
    /// <summary>Creates the error with <paramref name="message"/>; <paramref name="reason"/> is the service's ErrorInfo reason.</summary>
    public ImageNotFoundException(string message, string? reason = null, Exception? innerException = null, StatusCode statusCode = StatusCode.InvalidArgument)
        : base(message, statusCode, reason, innerException)
    {
    }
}
