using AgentFense.Api.V1;
using AgentFense.Engine.Files;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense.Server.Services;

/// <summary>
/// File operations through the policy view of a running sandbox: the engine does them (see
/// <see cref="Engine.SandboxManager.ReadFileAsync"/>); its <see cref="ViewFileException"/>s become statuses in
/// <see cref="EngineErrorInterceptor"/> (<see cref="ViewFileErrors"/>).
/// </summary>
internal sealed partial class SandboxGrpcService
{
    public override async Task<ReadSandboxFileResponse> ReadSandboxFile(ReadSandboxFileRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        var content = await manager.ReadFileAsync(request.SandboxId, request.Path, context.CancellationToken);
        // The array is the engine's fresh copy, owned by nobody else: wrapping it saves a second copy of up to the read bound.
        return new ReadSandboxFileResponse { Content = UnsafeByteOperations.UnsafeWrap(content) };
    }

    public override async Task<SandboxFileInfo> WriteSandboxFile(WriteSandboxFileRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        return ToInfo(await manager.WriteFileAsync(request.SandboxId, request.Path, request.Content.Memory, context.CancellationToken));
    }

    public override async Task<ListSandboxFilesResponse> ListSandboxFiles(ListSandboxFilesRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        var response = new ListSandboxFilesResponse();
        response.Files.AddRange((await manager.ListFilesAsync(request.SandboxId, request.Path, context.CancellationToken)).Select(ToInfo));
        return response;
    }

    public override async Task<SandboxFileInfo> StatSandboxFile(StatSandboxFileRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        return ToInfo(await manager.StatFileAsync(request.SandboxId, request.Path, context.CancellationToken));
    }

    public override async Task<Empty> DeleteSandboxFile(DeleteSandboxFileRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        await manager.DeleteFileAsync(request.SandboxId, request.Path, context.CancellationToken);
        return new Empty();
    }

    private static SandboxFileInfo ToInfo(ViewFileInfo info) => new()
    {
        Path = info.Path,
        IsSymlink = info.IsSymlink,
        IsDirectory = info.IsDirectory,
        Size = info.Size,
        Mode = info.Mode,
        ModifiedAt = Timestamp.FromDateTimeOffset(info.ModifiedAt),
    };
}
