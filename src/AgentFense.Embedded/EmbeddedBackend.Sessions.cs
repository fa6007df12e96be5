using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Embedded.Internal;
using AgentFense.Runtime.Init;
using static AgentFense.Embedded.Internal.EngineErrors;

namespace AgentFense.Embedded;

public sealed partial class EmbeddedBackend
{
    private const string DefaultShell = "/bin/bash";

    private readonly ConcurrentDictionary<string, SessionEntry> _sessionTable = new(StringComparer.Ordinal);

    private sealed class SessionEntry(SessionInfo info, InitSession shell)
    {
        public SessionInfo Info { get; set; } = info;

        public InitSession Shell { get; } = shell;
    }

    /// <inheritdoc />
    public Task<SessionInfo> CreateSessionAsync(string sandboxId, string? shell, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var box = RunningBox(sandboxId);
            shell = string.IsNullOrEmpty(shell) ? DefaultShell : shell;
            if (shell.Contains('\0', StringComparison.Ordinal))
                throw new InvalidArgumentException("shell contains NUL", "INVALID_ARGUMENT");
            var options = new SessionOptions { Shell = shell, Environment = EngineMapping.MergeEnvironment(box.Environment, env) };
            var initSession = await _manager.CreateSessionAsync(sandboxId, options, cancellationToken).ConfigureAwait(false);
            var info = new SessionInfo("sess_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), sandboxId, shell, IsActive: true);
            _sessionTable[info.Id] = new SessionEntry(info, initSession);
            return info;
        });

    /// <inheritdoc />
    public Task<CommandResult> SessionExecAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var entry = ActiveSession(sessionId, command, timeout);
        return Guard(async () =>
        {
            try
            {
                var result = await entry.Shell.ExecAsync(command, SessionOptionsOf(timeout), cancellationToken).ConfigureAwait(false);
                if (EngineMapping.TimedOut(result.Exit))
                    throw EngineMapping.Timeout(command, timeout);
                if ((result.Exit.Flags & Init.Protocol.ExitFlags.SessionEnded) != 0)
                    throw Closed(entry, "ended");
                return EngineMapping.ToResult(result);
            }
            catch (InitException e)
            {
                throw Closed(entry, $"is not usable: {e.Message}");
            }
        });
    }

    /// <inheritdoc />
    public IAsyncEnumerable<OutputChunk> SessionExecStreamAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var entry = ActiveSession(sessionId, command, timeout);
        return ToChunksAsync(command, timeout, () => StreamSessionAsync(entry, command, timeout, cancellationToken), cancellationToken);
    }

    private static async IAsyncEnumerable<Runtime.Init.OutputChunk> StreamSessionAsync(SessionEntry entry, string command, TimeSpan? timeout,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CommandExecution execution;
        try
        {
            execution = await entry.Shell.StartAsync(command, SessionOptionsOf(timeout), cancellationToken).ConfigureAwait(false);
        }
        catch (InitException e)
        {
            throw Closed(entry, $"is not usable: {e.Message}");
        }
        await using (execution.ConfigureAwait(false))
        {
            await foreach (var chunk in execution.ReadOutputAsync(cancellationToken).ConfigureAwait(false))
                yield return chunk;
        }
    }

    /// <inheritdoc />
    public async Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!_sessionTable.TryRemove(sessionId, out var entry))
            throw new SessionNotFoundException($"no session '{sessionId}'", "SESSION_NOT_FOUND");
        await entry.Shell.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string sandboxId, CancellationToken cancellationToken)
    {
        State(sandboxId);
        return Task.FromResult<IReadOnlyList<SessionInfo>>([.. _sessionTable.Values.Where(s => s.Info.SandboxId == sandboxId).Select(s => s.Info)]);
    }

    private SessionEntry ActiveSession(string sessionId, string command, TimeSpan? timeout)
    {
        if (!_sessionTable.TryGetValue(sessionId, out var entry))
            throw new SessionNotFoundException($"no session '{sessionId}'", "SESSION_NOT_FOUND");
        if (string.IsNullOrEmpty(command))
            throw new InvalidArgumentException("the command is empty", "INVALID_ARGUMENT");
        if (timeout < TimeSpan.Zero)
            throw new InvalidArgumentException("timeout may not be negative", "INVALID_ARGUMENT");
        if (!entry.Info.IsActive)
            throw new SessionClosedException($"session '{sessionId}' is closed", "SESSION_CLOSED");
        return entry;
    }

    private static SessionExecOptions SessionOptionsOf(TimeSpan? timeout) =>
        new() { Timeout = timeout is { } t && t > TimeSpan.Zero ? t : null };

    private static SessionClosedException Closed(SessionEntry entry, string what)
    {
        entry.Info = entry.Info with { IsActive = false };
        return new SessionClosedException($"session '{entry.Info.Id}' {what}", "SESSION_CLOSED");
    }

    /// <summary>A stopped sandbox's shells are gone: its sessions are closed (and forgotten when it is destroyed).</summary>
    private async Task CloseSessionsAsync(string sandboxId, bool remove)
    {
        foreach (var (id, entry) in _sessionTable.Where(p => p.Value.Info.SandboxId == sandboxId).ToList())
        {
            entry.Info = entry.Info with { IsActive = false };
            if (remove && _sessionTable.TryRemove(id, out _))
                await entry.Shell.DisposeAsync().ConfigureAwait(false);
        }
    }
}
