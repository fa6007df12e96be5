using AgentFense.Engine.Files;
using Grpc.Core;

namespace AgentFense.Server.Services;

/// <summary>The statuses and reasons of the contract for the engine's failed file operations through a view.</summary>
internal static class ViewFileErrors
{
    /// <summary>The status <paramref name="e"/> is answered with; its message is the engine's.</summary>
    public static RpcException ToRpc(ViewFileException e) => e.Error switch
    {
        ViewFileError.NotFound => ApiErrors.Create(StatusCode.NotFound, ApiErrors.FileNotFound, e.Message),
        ViewFileError.Denied => ApiErrors.Create(StatusCode.PermissionDenied, ApiErrors.PolicyDenied, e.Message),
        ViewFileError.InvalidPath or ViewFileError.SymbolicLink or ViewFileError.NotADirectory or ViewFileError.IsADirectory =>
            ApiErrors.Create(StatusCode.InvalidArgument, ApiErrors.InvalidPath, e.Message),
        ViewFileError.NotEmpty => ApiErrors.Create(StatusCode.FailedPrecondition, ApiErrors.InvalidPath, e.Message),
        ViewFileError.TooLarge => ApiErrors.Create(StatusCode.ResourceExhausted, ApiErrors.FileTooLarge, e.Message),
        ViewFileError.NotMounted => ApiErrors.Create(StatusCode.FailedPrecondition, ApiErrors.SandboxNotRunning, e.Message),
        _ => ApiErrors.Create(StatusCode.Internal, ApiErrors.Internal, e.Message),
    };
}
