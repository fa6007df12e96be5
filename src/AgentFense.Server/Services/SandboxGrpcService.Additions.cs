using AgentFense.Api.V1;
using AgentFense.SandboxFs.Delta;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Empty = AgentFense.Api.V1.Empty;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// The additions to the contract (new methods only): rules updates, the delta (diff, commit, discard,
/// export); the audit trail is in SandboxGrpcService.Audit.cs. Each goes through the same owner check as the contract's
/// methods (<see cref="Current"/>: another owner's sandbox is NOT_FOUND).
/// </summary>
internal sealed partial class SandboxGrpcService
{
    private const int ExportChunkSize = 64 * 1024;

    public override async Task<Sandbox> UpdateSandboxRules(UpdateSandboxRulesRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        var rules = ToRules(request.Permissions);
        try
        {
            await manager.UpdateRulesAsync(request.SandboxId, rules, context.CancellationToken);
        }
        catch (Policy.PolicyException e)
        {
            throw Invalid(e.Message, ApiErrors.InvalidRule);
        }
        var updated = catalog.Update(request.SandboxId, s =>
        {
            s.Permissions.Clear();
            s.Permissions.AddRange(request.Permissions);
        }, metadata);
        return updated is not null ? Current(updated.Id) : throw NotFound($"no sandbox '{request.SandboxId}'", ApiErrors.SandboxNotFound);
    }

    public override async Task<GetSandboxChangesResponse> GetSandboxChanges(GetSandboxChangesRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        var changes = await manager.ListChangesAsync(request.SandboxId, context.CancellationToken);
        var response = new GetSandboxChangesResponse();
        response.Changes.AddRange(changes.Select(ToChange));
        return response;
    }

    public override async Task<CommitSandboxChangesResponse> CommitSandboxChanges(CommitSandboxChangesRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (codebases.Get(sandbox.CodebaseId) is { ReadOnly: true })
            throw Precondition($"sandbox '{request.SandboxId}' is over codebase '{sandbox.CodebaseId}', which is registered in place and read-only: its changes cannot be committed (export them instead)",
                ApiErrors.CodebaseReadOnly);
        // The totals of the codebase follow the commit by measuring only the paths the delta changed.
        var pending = await manager.ListChangesAsync(request.SandboxId, context.CancellationToken);
        var result = await codebases.CommitDeltaAsync(sandbox.CodebaseId, [.. pending.Select(c => c.Path)],
            () => manager.CommitAsync(request.SandboxId, context.CancellationToken), context.CancellationToken);
        var response = new CommitSandboxChangesResponse();
        response.Applied.AddRange(result.Applied.Select(ToChange));
        response.Conflicts.AddRange(result.Conflicts.Select(ToChange));
        return response;
    }

    public override async Task<Empty> DiscardSandboxChanges(DiscardSandboxChangesRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        await manager.DiscardAsync(request.SandboxId, context.CancellationToken);
        return new Empty();
    }

    /// <summary>Exports into a temporary file (the engine writes under the sandbox's gate), then streams it in chunks.</summary>
    public override async Task ExportSandboxChanges(ExportSandboxChangesRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        Current(request.SandboxId);
        var path = Path.Combine(Path.GetTempPath(), $"agentfense-export-{Guid.NewGuid():N}.tar");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0, FileOptions.DeleteOnClose);
        await manager.ExportAsync(request.SandboxId, file, context.CancellationToken);
        file.Position = 0;
        var buffer = new byte[ExportChunkSize];
        int read;
        while ((read = await file.ReadAsync(buffer, context.CancellationToken)) > 0)
            await responseStream.WriteAsync(new ExportChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
    }

    private static SandboxChange ToChange(DeltaChange change) => new()
    {
        Path = change.Path,
        Kind = change.Kind switch
        {
            ChangeKind.Added => SandboxChangeKind.Added,
            ChangeKind.Modified => SandboxChangeKind.Modified,
            ChangeKind.Deleted => SandboxChangeKind.Deleted,
            _ => SandboxChangeKind.Unspecified,
        },
        Size = change.Size,
        IsDirectory = change.EntryKind == FileKind.Directory,
    };
}
