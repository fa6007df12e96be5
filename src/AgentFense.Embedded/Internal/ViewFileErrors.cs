using AgentFense.Engine.Files;

namespace AgentFense.Embedded.Internal;

/// <summary>The SDK's exceptions for the engine's failed file operations through a view, as the server would answer.</summary>
internal static class ViewFileErrors
{
    /// <summary>The SDK exception of <paramref name="e"/>, with the engine's message and the server's status and reason.</summary>
    public static AgentFenseException Map(ViewFileException e) => e.Error switch
    {
        ViewFileError.NotFound => new FileNotFoundInSandboxException(e.Message, "FILE_NOT_FOUND", e),
        ViewFileError.Denied => new PermissionDeniedException(e.Message, "POLICY_DENIED", e),
        ViewFileError.InvalidPath or ViewFileError.SymbolicLink or ViewFileError.NotADirectory or ViewFileError.IsADirectory =>
            new InvalidArgumentException(e.Message, "INVALID_PATH", e),
        ViewFileError.NotEmpty => new AgentFenseException(e.Message, Grpc.Core.StatusCode.FailedPrecondition, "INVALID_PATH", e),
        ViewFileError.TooLarge => new ResourceLimitExceededException(e.Message, "FILE_TOO_LARGE", e),
        ViewFileError.NotMounted => new SandboxNotRunningException(e.Message, "SANDBOX_NOT_RUNNING", e),
        _ => new AgentFenseException(e.Message, Grpc.Core.StatusCode.Internal, "INTERNAL", e),
    };
}
