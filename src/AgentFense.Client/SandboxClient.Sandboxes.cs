using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using Empty = AgentFense.Api.V1.Empty;
using WireSandbox = AgentFense.Api.V1.Sandbox;
using WireStatus = AgentFense.Api.V1.SandboxStatus;

namespace AgentFense;

public sealed partial class SandboxClient
{
    /// <summary>CreateSandbox: a pending sandbox.</summary>
    public Task<WireSandbox> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.CreateSandboxAsync(request, o), idempotent: false, cancellationToken);

    /// <summary>GetSandbox.</summary>
    public Task<WireSandbox> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = sandboxId }, o), idempotent: true, cancellationToken);

    /// <summary>ListSandboxes: one page, optionally of one codebase, matching a label selector (<c>k=v,k2</c>) and a status.</summary>
    public Task<ListSandboxesResponse> ListSandboxesAsync(string? codebaseId = null, string? labelSelector = null, WireStatus status = WireStatus.Unspecified,
        int pageSize = 0, string? pageToken = null, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ListSandboxesAsync(new ListSandboxesRequest
        {
            CodebaseId = codebaseId ?? "",
            LabelSelector = labelSelector ?? "",
            Status = status,
            PageSize = pageSize,
            PageToken = pageToken ?? "",
        }, o), idempotent: true, cancellationToken);

    /// <summary>Every sandbox matching the filters, page after page.</summary>
    public async IAsyncEnumerable<WireSandbox> ListAllSandboxesAsync(string? codebaseId = null, string? labelSelector = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var token = "";
        do
        {
            var page = await ListSandboxesAsync(codebaseId, labelSelector, WireStatus.Unspecified, 100, token, cancellationToken).ConfigureAwait(false);
            foreach (var sandbox in page.Sandboxes)
                yield return sandbox;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
    }

    /// <summary>StartSandbox: mounts the view and starts the box (a running sandbox is returned as it is).</summary>
    public Task<WireSandbox> StartSandboxAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandboxId }, o), idempotent: false, cancellationToken);

    /// <summary>StopSandbox: the box and mount go, the delta stays.</summary>
    public Task<WireSandbox> StopSandboxAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = sandboxId }, o), idempotent: false, cancellationToken);

    /// <summary>DestroySandbox: the sandbox and its delta go.</summary>
    public Task<Empty> DestroySandboxAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandboxId }, o), idempotent: false, cancellationToken);

    /// <summary>UpdateSandboxRules: replaces the rules (at once on a running sandbox); empty means the default preset.</summary>
    public Task<WireSandbox> UpdateSandboxRulesAsync(string sandboxId, IEnumerable<PermissionRule> rules, CancellationToken cancellationToken = default)
    {
        var request = new UpdateSandboxRulesRequest { SandboxId = sandboxId };
        request.Permissions.AddRange(rules);
        return UnaryAsync(o => _sandboxes.UpdateSandboxRulesAsync(request, o), idempotent: true, cancellationToken);
    }

    /// <summary>GetSandboxChanges: the delta against the codebase.</summary>
    public Task<GetSandboxChangesResponse> GetSandboxChangesAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = sandboxId }, o), idempotent: true, cancellationToken);

    /// <summary>CommitSandboxChanges: the delta into the codebase.</summary>
    public Task<CommitSandboxChangesResponse> CommitSandboxChangesAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = sandboxId }, o), idempotent: false, cancellationToken);

    /// <summary>DiscardSandboxChanges: empties the delta.</summary>
    public Task<Empty> DiscardSandboxChangesAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.DiscardSandboxChangesAsync(new DiscardSandboxChangesRequest { SandboxId = sandboxId }, o), idempotent: true, cancellationToken);

    /// <summary>ExportSandboxChanges: the delta as a tar stream, written to <paramref name="destination"/>; returns the bytes written.</summary>
    public async Task<long> ExportSandboxChangesAsync(string sandboxId, Stream destination, CancellationToken cancellationToken = default)
    {
        var request = new ExportSandboxChangesRequest { SandboxId = sandboxId };
        long total = 0;
        await foreach (var chunk in ServerStreamAsync(o => _sandboxes.ExportSandboxChanges(request, o), cancellationToken).ConfigureAwait(false))
        {
            await destination.WriteAsync(chunk.Data.Memory, cancellationToken).ConfigureAwait(false);
            total += chunk.Data.Length;
        }
        return total;
    }

    /// <summary>GetSandboxAudit: the newest <paramref name="limit"/> entries (0: all kept).</summary>
    public Task<GetSandboxAuditResponse> GetSandboxAuditAsync(string sandboxId, int limit = 0, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = sandboxId, Limit = limit }, o), idempotent: true, cancellationToken);

    /// <summary>GetSandboxAudit with every filter: pages, time range, kind.</summary>
    public Task<GetSandboxAuditResponse> GetSandboxAuditAsync(GetSandboxAuditRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetSandboxAuditAsync(request, o), idempotent: true, cancellationToken);

    /// <summary>BatchCreateSandboxes: every request attempted; each result carries its sandbox or its error.</summary>
    public Task<BatchSandboxesResponse> BatchCreateSandboxesAsync(IEnumerable<CreateSandboxRequest> requests, bool start = false, CancellationToken cancellationToken = default)
    {
        var request = new BatchCreateSandboxesRequest { Start = start };
        request.Requests.AddRange(requests);
        return UnaryAsync(o => _sandboxes.BatchCreateSandboxesAsync(request, o), idempotent: false, cancellationToken);
    }

    /// <summary>BatchStartSandboxes.</summary>
    public Task<BatchSandboxesResponse> BatchStartSandboxesAsync(IEnumerable<string> sandboxIds, CancellationToken cancellationToken = default)
    {
        var request = new BatchSandboxIdsRequest();
        request.SandboxIds.AddRange(sandboxIds);
        return UnaryAsync(o => _sandboxes.BatchStartSandboxesAsync(request, o), idempotent: false, cancellationToken);
    }

    /// <summary>BatchDestroySandboxes.</summary>
    public Task<BatchSandboxesResponse> BatchDestroySandboxesAsync(IEnumerable<string> sandboxIds, CancellationToken cancellationToken = default)
    {
        var request = new BatchSandboxIdsRequest();
        request.SandboxIds.AddRange(sandboxIds);
        return UnaryAsync(o => _sandboxes.BatchDestroySandboxesAsync(request, o), idempotent: false, cancellationToken);
    }

    /// <summary>The error of one item of a batch answer as the SDK's exception, or null when it succeeded.</summary>
    public static AgentFenseException? ErrorOf(BatchSandboxResult result) =>
        result.ErrorCode == 0 ? null : Internal.ErrorMapper.Create((Grpc.Core.StatusCode)result.ErrorCode, result.ErrorReason.Length == 0 ? null : result.ErrorReason, result.ErrorMessage);
}
