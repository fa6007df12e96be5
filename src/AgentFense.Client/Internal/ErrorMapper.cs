using Google.Rpc;
using Grpc.Core;

namespace AgentFense.Internal;

/// <summary>
/// Turns the service's errors into the SDK's exceptions: the ErrorInfo reason decides where there is one (two
/// reasons of one status code are different exceptions), the status code where there is none.
/// </summary>
internal static class ErrorMapper
{
    /// <summary>The SDK exception for <paramref name="e"/>; cancellation by <paramref name="cancellationToken"/> stays an <see cref="OperationCanceledException"/>.</summary>
    public static Exception Map(RpcException e, CancellationToken cancellationToken)
    {
        if (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            return new OperationCanceledException("the call was cancelled", e, cancellationToken);
        var reason = ReasonOf(e);
        var message = e.Status.Detail is { Length: > 0 } detail ? detail : e.Status.StatusCode.ToString();
        return Create(e.StatusCode, reason, message, e);
    }

    /// <summary>The SDK exception of a status code and reason (also used for the items of batch answers).</summary>
    public static AgentFenseException Create(StatusCode code, string? reason, string message, Exception? inner = null) => reason switch
    {
        "SANDBOX_NOT_FOUND" => new SandboxNotFoundException(message, reason, inner, code),
        "CODEBASE_NOT_FOUND" => new CodebaseNotFoundException(message, reason, inner, code),
        "SESSION_NOT_FOUND" => new SessionNotFoundException(message, reason, inner, code),
        "PROCESS_NOT_FOUND" => new ProcessNotFoundException(message, reason, inner, code),
        "FILE_NOT_FOUND" => new FileNotFoundInSandboxException(message, reason, inner, code),
        "IMAGE_NOT_FOUND" => new ImageNotFoundException(message, reason, inner, code),
        "SANDBOX_NOT_RUNNING" => new SandboxNotRunningException(message, reason, inner, code),
        "SESSION_CLOSED" => new SessionClosedException(message, reason, inner, code),
        "CODEBASE_IN_USE" => new CodebaseInUseException(message, reason, inner, code),
        "CODEBASE_READ_ONLY" => new CodebaseReadOnlyException(message, reason, inner, code),
        "REGISTER_NOT_ALLOWED" => new OperationNotAllowedException(message, reason, inner, code),
        "SANDBOX_LIMIT_REACHED" => new SandboxLimitReachedException(message, reason, inner, code),
        "FILE_TOO_LARGE" or "ARCHIVE_TOO_LARGE" => new ResourceLimitExceededException(message, reason, inner, code),
        "INVALID_ARGUMENT" or "INVALID_PATH" or "UPLOAD_SIZE_MISMATCH" or "INVALID_ARCHIVE" or "INVALID_LABEL_SELECTOR"
            or "HOST_PATH_NOT_FOUND" or "HOST_PATH_NOT_DIRECTORY" or "PATH_OUTSIDE_CODEBASE" => new InvalidArgumentException(message, reason, inner, code),
        "COMMAND_TIMEOUT" => new CommandTimeoutException(message, reason, inner, code),
        "POLICY_DENIED" => new PermissionDeniedException(message, reason, inner, code),
        "UNAUTHENTICATED" => new AuthenticationException(message, reason, inner, code),
        "INVALID_RULE" or "RUNTIME_UNAVAILABLE" or "INVALID_ENDPOINT" => new InvalidConfigurationException(message, reason, inner, code),
        "BOX_FAILED" or "INIT_FAILED" or "DOCKER_UNAVAILABLE" => new SandboxRuntimeException(message, reason, inner, code),
        _ => ByCode(code, reason, message, inner),
    };

    private static AgentFenseException ByCode(StatusCode code, string? reason, string message, Exception? inner) => code switch
    {
        StatusCode.Unavailable => new ConnectionException($"the server is unavailable: {message}", reason, inner, code),
        StatusCode.Unauthenticated => new AuthenticationException(message, reason, inner, code),
        StatusCode.PermissionDenied => new PermissionDeniedException(message, reason, inner, code),
        StatusCode.ResourceExhausted => new ResourceLimitExceededException(message, reason, inner, code),
        StatusCode.InvalidArgument or StatusCode.OutOfRange => new InvalidArgumentException(message, reason, inner, code),
        StatusCode.DeadlineExceeded => new RequestTimeoutException($"the call's deadline passed: {message}", reason, inner, code),
        _ => new AgentFenseException(message, code, reason, inner),
    };

    /// <summary>The ErrorInfo reason in the <c>grpc-status-details-bin</c> trailer, or null.</summary>
    public static string? ReasonOf(RpcException e)
    {
        var bytes = e.Trailers.GetValueBytes("grpc-status-details-bin");
        if (bytes is null)
            return null;
        try
        {
            var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
            return status.Details.Where(d => d.Is(ErrorInfo.Descriptor)).Select(d => d.Unpack<ErrorInfo>().Reason).FirstOrDefault();
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
