using System.Globalization;
using AgentFense.Api.V1;
using AgentFense.Server.Audit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// <c>GetSandboxAudit</c>: the persisted audit trail of a sandbox (refusals and commands), oldest first, paged by
/// an opaque token (the last entry's sequence), filtered by time and kind. A destroyed sandbox's trail stays
/// readable by its owner for the audit retention.
/// </summary>
internal sealed partial class SandboxGrpcService
{
    private const int MaxAuditPage = 1000;
    private const string AuditTokenPrefix = "a";

    public override Task<GetSandboxAuditResponse> GetSandboxAudit(GetSandboxAuditRequest request, ServerCallContext context)
    {
        var recorder = context.GetHttpContext().RequestServices.GetRequiredService<AuditRecorder>();
        var store = context.GetHttpContext().RequestServices.GetRequiredService<AuditStore>();
        if (catalog.TryGet(request.SandboxId) is not null)
            Current(request.SandboxId);
        else if (store.DestroyedOwner(request.SandboxId) is not { } owner || !Auth.Caller.CanSee(owner))
            throw NotFound($"no sandbox '{request.SandboxId}'", ApiErrors.SandboxNotFound);
        if (request.Limit < 0)
            throw Invalid("limit may not be negative");
        if (request.PageSize < 0 || request.PageSize > MaxAuditPage)
            throw Invalid($"page_size must be between 0 and {MaxAuditPage}");
        var after = ParseAuditToken(request.PageToken);
        DateTimeOffset? since = request.Since is { } s ? s.ToDateTimeOffset() : null;
        DateTimeOffset? until = request.Until is { } u ? u.ToDateTimeOffset() : null;
        if (since is not null && until is not null && until < since)
            throw Invalid("until is before since");
        AuditKind? kind = request.Kind switch
        {
            SandboxAuditEntryKind.Unspecified => null,
            SandboxAuditEntryKind.Refusal => AuditKind.Refusal,
            SandboxAuditEntryKind.Command => AuditKind.Command,
            _ => throw Invalid($"kind {(int)request.Kind} is not a known audit entry kind"),
        };

        recorder.Flush();
        var response = new GetSandboxAuditResponse();
        List<AuditEvent> events;
        if (request.PageSize > 0)
        {
            // One more than asked tells whether another page follows.
            events = store.Query(request.SandboxId, after, since, until, kind, request.PageSize + 1);
            if (events.Count > request.PageSize)
            {
                events.RemoveAt(events.Count - 1);
                response.NextPageToken = AuditToken(events[^1].Sequence);
            }
        }
        else
        {
            events = store.Query(request.SandboxId, after, since, until, kind, request.Limit > 0 ? request.Limit : int.MaxValue, newest: request.Limit > 0);
        }
        response.ResumeToken = events.Count > 0 ? AuditToken(events[^1].Sequence) : AuditToken(after);
        response.Entries.AddRange(events.Select(ToAuditEntry));
        return Task.FromResult(response);
    }

    private static long ParseAuditToken(string token)
    {
        if (token.Length == 0)
            return 0;
        if (!token.StartsWith(AuditTokenPrefix, StringComparison.Ordinal)
            || !long.TryParse(token.AsSpan(AuditTokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            throw Invalid($"page_token '{token}' is not a token this server issued");
        return sequence;
    }

    private static string AuditToken(long sequence) => AuditTokenPrefix + sequence.ToString(CultureInfo.InvariantCulture);

    private static SandboxAuditEntry ToAuditEntry(AuditEvent e)
    {
        var entry = new SandboxAuditEntry { Time = Timestamp.FromDateTimeOffset(e.Time) };
        if (e.Kind == AuditKind.Refusal)
        {
            entry.Kind = SandboxAuditEntryKind.Refusal;
            entry.Operation = e.Operation;
            entry.Path = e.Path;
            entry.Level = ToApi(e.Level);
            if (e.Rule is { } rule)
            {
                entry.Rule = new PermissionRule
                {
                    Pattern = rule.Pattern,
                    Permission = ToApi(rule.Permission),
                    Type = rule.Type switch
                    {
                        Policy.PatternType.Directory => PatternType.Directory,
                        Policy.PatternType.File => PatternType.File,
                        _ => PatternType.Glob,
                    },
                    Priority = rule.Priority,
                };
            }
        }
        else
        {
            entry.Kind = SandboxAuditEntryKind.Command;
            entry.SessionId = e.SessionId;
            entry.Command = e.Command;
            entry.ExitCode = e.ExitCode;
            entry.Duration = Duration.FromTimeSpan(e.Duration);
            entry.Outcome = e.Outcome;
        }
        return entry;
    }

    private static Permission ToApi(Policy.Permission level) => level switch
    {
        Policy.Permission.None => Permission.None,
        Policy.Permission.View => Permission.View,
        Policy.Permission.Read => Permission.Read,
        Policy.Permission.Write => Permission.Write,
        _ => Permission.Unspecified,
    };
}
