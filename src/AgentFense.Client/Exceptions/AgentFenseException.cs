using Grpc.Core;

namespace AgentFense;

/// <summary>
/// The base of every error the SDK raises for a failure of AgentFense (remote or embedded): the status code and
/// the <c>google.rpc.ErrorInfo</c> reason of the service's answer tell failures apart, and each meaning has its
/// own subclass.
/// </summary>
public class AgentFenseException : Exception
{
    /// <summary>An error with <paramref name="message"/>, the service's <paramref name="statusCode"/> and <paramref name="reason"/>.</summary>
    public AgentFenseException(string message, StatusCode statusCode = StatusCode.Unknown, string? reason = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The gRPC status code of the failure (embedded mode uses the code the server would answer).</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The ErrorInfo reason (<c>SANDBOX_NOT_FOUND</c>, <c>POLICY_DENIED</c>, ...), or null when the answer carried none.</summary>
    public string? Reason { get; }
}
