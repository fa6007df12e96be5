using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace AgentFense.Server.Services;

/// <summary>
/// Every error of the API carries a <c>google.rpc.Status</c> in the <c>grpc-status-details-bin</c> trailer with
/// one <c>google.rpc.ErrorInfo</c>: a stable <see cref="ErrorInfo.Reason"/> (the constants below) in the
/// <see cref="Domain"/> domain, so clients can tell apart errors that share a status code.
/// </summary>
internal static class ApiErrors
{
    /// <summary>The ErrorInfo domain of AgentFense's reasons.</summary>
    public const string Domain = "agentfense";

    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string InvalidPath = "INVALID_PATH";
    public const string InvalidRule = "INVALID_RULE";
    public const string UploadSizeMismatch = "UPLOAD_SIZE_MISMATCH";
    public const string CodebaseNotFound = "CODEBASE_NOT_FOUND";
    public const string SandboxNotFound = "SANDBOX_NOT_FOUND";
    public const string SessionNotFound = "SESSION_NOT_FOUND";
    public const string FileNotFound = "FILE_NOT_FOUND";
    public const string SandboxNotRunning = "SANDBOX_NOT_RUNNING";
    public const string SessionClosed = "SESSION_CLOSED";
    public const string CodebaseInUse = "CODEBASE_IN_USE";
    public const string RuntimeUnavailable = "RUNTIME_UNAVAILABLE";
    public const string CommandTimeout = "COMMAND_TIMEOUT";
    public const string BoxFailed = "BOX_FAILED";
    public const string InitFailed = "INIT_FAILED";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string PolicyDenied = "POLICY_DENIED";
    public const string FileTooLarge = "FILE_TOO_LARGE";
    public const string SandboxLimitReached = "SANDBOX_LIMIT_REACHED";
    public const string InvalidLabelSelector = "INVALID_LABEL_SELECTOR";
    public const string Internal = "INTERNAL";
    public const string ProcessNotFound = "PROCESS_NOT_FOUND";

    // Codebase additions: tree and archive uploads, codebases registered in place.
    public const string CodebaseReadOnly = "CODEBASE_READ_ONLY";
    public const string RegisterNotAllowed = "REGISTER_NOT_ALLOWED";
    public const string HostPathNotFound = "HOST_PATH_NOT_FOUND";
    public const string HostPathNotDirectory = "HOST_PATH_NOT_DIRECTORY";
    public const string PathOutsideCodebase = "PATH_OUTSIDE_CODEBASE";
    public const string InvalidArchive = "INVALID_ARCHIVE";
    public const string ArchiveTooLarge = "ARCHIVE_TOO_LARGE";

    // The docker runtime.
    public const string ImageNotFound = "IMAGE_NOT_FOUND";
    public const string DockerUnavailable = "DOCKER_UNAVAILABLE";

    /// <summary>An RpcException with <paramref name="code"/>, <paramref name="message"/> and an ErrorInfo of <paramref name="reason"/>.</summary>
    public static RpcException Create(StatusCode code, string reason, string message)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }));
        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
        return new RpcException(new Status(code, message), trailers);
    }

    /// <summary>The ErrorInfo reason of <paramref name="e"/>, or null when it carries none.</summary>
    public static string? ReasonOf(RpcException e)
    {
        var bytes = e.Trailers.GetValueBytes("grpc-status-details-bin");
        if (bytes is null)
            return null;
        var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
        return status.Details.Where(d => d.Is(ErrorInfo.Descriptor)).Select(d => d.Unpack<ErrorInfo>().Reason).FirstOrDefault();
    }
}
