using System.Runtime.CompilerServices;

namespace AgentFense;

public sealed partial class Sandbox
{
    /// <summary>
    /// Runs <paramref name="command"/> (a <c>/bin/sh -c</c> line) in <c>/workspace</c> to its end. Any exit code
    /// is a result unless <paramref name="raiseOnError"/>, which turns a non-zero one into
    /// <see cref="CommandFailedException"/>.
    /// </summary>
    /// <exception cref="CommandTimeoutException">It ran past <paramref name="timeout"/> and was killed.</exception>
    /// <exception cref="SandboxNotRunningException">The sandbox is not running.</exception>
    public async Task<CommandResult> RunAsync(string command, bool raiseOnError = false, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var result = await ExecAsync(command, new CommandOptions
        {
            Timeout = timeout,
            Env = env ?? new Dictionary<string, string>(),
            WorkingDirectory = workingDirectory,
        }, cancellationToken).ConfigureAwait(false);
        return raiseOnError ? result.EnsureSuccess(command) : result;
    }

    /// <summary>Runs <paramref name="command"/> with everything <see cref="CommandOptions"/> offers (stdin, environment, directory, timeout).</summary>
    public Task<CommandResult> ExecAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.ExecAsync(Id, command, options ?? new CommandOptions(), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="command"/>, yielding its output as it comes; the last item carries
    /// <see cref="OutputChunk.Exit"/>. Stopping the enumeration (or cancelling) kills the command.
    /// </summary>
    public async IAsyncEnumerable<OutputChunk> ExecStreamAsync(string command, CommandOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await foreach (var chunk in Backend.ExecStreamAsync(Id, command, options ?? new CommandOptions(), cancellationToken).ConfigureAwait(false))
            yield return chunk;
    }

    /// <summary>
    /// Starts <paramref name="command"/> with its stdin open: write to it, close it, signal the command, and read
    /// its output as it comes. Disposing the handle kills the command if it still runs.
    /// </summary>
    public Task<IRunningCommand> StartCommandAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.StartCommandAsync(Id, command, options ?? new CommandOptions(), cancellationToken);
    }

    /// <summary>Starts <paramref name="command"/> in the background; read its output, wait for it, signal it through the handle.</summary>
    public async Task<BackgroundProcess> StartProcessAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var info = await Backend.StartProcessAsync(Id, command, options ?? new CommandOptions(), cancellationToken).ConfigureAwait(false);
        return new BackgroundProcess(Backend, info);
    }

    /// <summary>The sandbox's background processes.</summary>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.ListProcessesAsync(Id, cancellationToken);
    }

    /// <summary>
    /// A persistent shell (default <c>/bin/bash</c>): its working directory and variables carry from one command to
    /// the next. Dispose it to end the shell (disposing the sandbox ends its sessions too).
    /// </summary>
    public async Task<SandboxSession> SessionAsync(string? shell = null, IReadOnlyDictionary<string, string>? env = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var info = await Backend.CreateSessionAsync(Id, shell, env ?? new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
        var session = new SandboxSession(this, info);
        lock (_sessions)
            _sessions.Add(session);
        return session;
    }
}
