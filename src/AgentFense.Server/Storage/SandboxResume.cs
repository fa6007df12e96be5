using AgentFense.Api.V1;
using AgentFense.Engine;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Storage;

/// <summary>
/// Starting again, at server start, the sandboxes that were running when the last server ended (or that
/// failed to at an earlier start). Each gets a fresh box over its delta; what ran in the old box is gone, and
/// its status reason says so. One that cannot start (its codebase directory vanished, the box or init fails)
/// is ERROR with the reason, kept in SQLite until a start succeeds.
/// </summary>
internal static class SandboxResume
{
    public static Task ResumeAsync(SandboxManager manager, SandboxCatalog catalog, MetadataStore metadata, IReadOnlyList<string> ids,
        Action<string>? log, CancellationToken cancellationToken) =>
        Task.WhenAll(ids.Select(async id =>
        {
            var now = DateTimeOffset.UtcNow;
            try
            {
                await manager.StartAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var reason = $"could not be started again after a server restart at {now:yyyy-MM-dd'T'HH:mm:ss'Z'}: {e.Message}";
                log?.Invoke($"sandbox {id} {reason}");
                catalog.Update(id, s =>
                {
                    s.Status = SandboxStatus.Error;
                    s.StatusReason = reason;
                }, metadata);
                return;
            }
            catalog.Update(id, s =>
            {
                s.StartedAt = Timestamp.FromDateTimeOffset(now);
                s.Status = SandboxStatus.Unspecified;
                s.StatusReason = $"resumed after a server restart at {now:yyyy-MM-dd'T'HH:mm:ss'Z'}; commands, sessions and processes running before were lost";
            }, metadata);
        }));
}
