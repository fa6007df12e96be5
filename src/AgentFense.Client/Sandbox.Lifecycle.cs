namespace AgentFense;

public sealed partial class Sandbox
{
    /// <summary>Starts the sandbox again (a running one stays as it is); its delta is intact.</summary>
    public async Task<SandboxInfo> StartAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Info = await Backend.StartSandboxAsync(Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the sandbox: its box, processes and sessions end; the delta stays.</summary>
    public async Task<SandboxInfo> StopAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        foreach (var session in Sessions())
            session.MarkClosed();
        return Info = await Backend.StopSandboxAsync(Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Destroys the sandbox and its delta, and with <paramref name="deleteCodebase"/> its codebase too (whoever
    /// created it). The object is of no further use; disposing it afterwards does nothing more.
    /// </summary>
    public async Task DestroyAsync(bool deleteCodebase = false, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await DestroyCoreAsync(deleteCodebase || _ownsCodebase, cancellationToken, codebaseInUseIsError: true).ConfigureAwait(false);
        DestroyOnDispose = false;
    }

    /// <summary>Replaces the sandbox's rules; on a running sandbox the new levels apply at once.</summary>
    public async Task<SandboxInfo> UpdateRulesAsync(IReadOnlyList<Rule> rules, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Info = await Backend.UpdateRulesAsync(Id, rules, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sandbox's audit trail, oldest first (at most the newest <paramref name="limit"/>; 0: all kept): the
    /// filesystem operations its policy refused, and on a server the commands its box ran. In-process the
    /// refusals are those of the running view (kept in memory until it stops).
    /// </summary>
    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit = 0, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.GetAuditAsync(Id, limit, cancellationToken);
    }

    /// <remarks>
    /// When disposing, a codebase other sandboxes still use (made with <see cref="FromCodebaseAsync"/> over this
    /// one's codebase) is left in place rather than failing the dispose: dispose those first.
    /// </remarks>
    private async Task DestroyCoreAsync(bool deleteCodebase, CancellationToken cancellationToken, bool codebaseInUseIsError = false)
    {
        foreach (var session in Sessions())
            session.MarkClosed();
        try
        {
            await Backend.DestroySandboxAsync(Id, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxNotFoundException)
        {
        }
        Info = Info with { Status = SandboxStatus.Unknown };
        if (!deleteCodebase)
            return;
        try
        {
            await Backend.DeleteCodebaseAsync(CodebaseId, cancellationToken).ConfigureAwait(false);
        }
        catch (CodebaseNotFoundException)
        {
        }
        catch (CodebaseInUseException) when (!codebaseInUseIsError)
        {
        }
    }
}
