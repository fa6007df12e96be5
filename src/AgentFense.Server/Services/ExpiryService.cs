using AgentFense.Api.V1;
using AgentFense.Engine;
using AgentFense.Server.Storage;
using Microsoft.Extensions.Hosting;

namespace AgentFense.Server.Services;

/// <summary>
/// The cleanup loop: a sandbox past its <c>expires_at</c> is destroyed with its delta and sessions, as in
/// the original. Runs every <see cref="ServerOptions.ExpiryInterval"/>; a failed destroy is logged and retried
/// on the next round.
/// </summary>
internal sealed class ExpiryService(SandboxManager manager, SandboxCatalog catalog, MetadataStore metadata, SessionTable sessions,
    ServerOptions options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ExpiryInterval);
        try
        {
            do
            {
                await DestroyExpiredAsync(DateTimeOffset.UtcNow, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task DestroyExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var sandbox in catalog.List())
        {
            if (sandbox.ExpiresAt is not { } expires || expires.ToDateTimeOffset() > now)
                continue;
            try
            {
                await manager.DestroyAsync(sandbox.Id, cancellationToken);
            }
            catch (SandboxNotFoundException)
            {
                // Destroyed through the API meanwhile.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                options.Log?.Invoke($"destroying expired sandbox {sandbox.Id} failed: {e.Message}");
                continue;
            }
            catalog.Forget(sandbox.Id, sessions, metadata);
            options.Log?.Invoke($"sandbox {sandbox.Id} expired and was destroyed");
        }
    }
}
