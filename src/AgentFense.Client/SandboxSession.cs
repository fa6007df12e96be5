using System.Runtime.CompilerServices;

namespace AgentFense;

/// <summary>A persistent shell in a sandbox (from <see cref="Sandbox.SessionAsync"/>); disposing ends it.</summary>
public sealed class SandboxSession : IAsyncDisposable
{
    private readonly Sandbox _sandbox;
    private int _closed;

    internal SandboxSession(Sandbox sandbox, SessionInfo info)
    {
        _sandbox = sandbox;
        Info = info;
    }

    /// <summary>The session's id.</summary>
    public string Id => Info.Id;

    /// <summary>The session as created.</summary>
    public SessionInfo Info { get; }

    /// <summary>Runs <paramref name="command"/> in the shell (a <c>cd</c> or <c>export</c> lasts for the next commands).</summary>
    /// <exception cref="SessionClosedException">The session was closed, or its shell or sandbox ended.</exception>
    /// <exception cref="CommandTimeoutException">It ran past <paramref name="timeout"/>.</exception>
    public Task<CommandResult> ExecAsync(string command, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        return _sandbox.Backend.SessionExecAsync(Id, command, timeout, cancellationToken);
    }

    /// <summary>Runs <paramref name="command"/> in the shell, yielding its output as it comes.</summary>
    public async IAsyncEnumerable<OutputChunk> ExecStreamAsync(string command, TimeSpan? timeout = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        await foreach (var chunk in _sandbox.Backend.SessionExecStreamAsync(Id, command, timeout, cancellationToken).ConfigureAwait(false))
            yield return chunk;
    }

    /// <summary>Ends the shell; a session already gone is not an error.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _sandbox.Forget(this);
        try
        {
            await _sandbox.Backend.DestroySessionAsync(Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AgentFenseException e) when (e is SessionNotFoundException or SessionClosedException or SandboxNotFoundException or SandboxNotRunningException)
        {
        }
    }

    /// <summary>The sandbox stopped or went away: the shell is gone with it.</summary>
    internal void MarkClosed()
    {
        Interlocked.Exchange(ref _closed, 1);
        _sandbox.Forget(this);
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed) != 0)
            throw new SessionClosedException($"session '{Id}' is closed", "SESSION_CLOSED");
    }
}
