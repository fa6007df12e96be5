using System.Runtime.CompilerServices;

namespace AgentFense;

/// <summary>
/// A background process of a sandbox (from <see cref="Sandbox.StartProcessAsync"/>). Its output is kept by the
/// box; <see cref="ReadOutputAsync"/> returns what is new since the last read. Disposing kills it if it still
/// runs and forgets it.
/// </summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly ISandboxBackend _backend;
    private long _stdoutOffset;
    private long _stderrOffset;
    private int _disposed;

    internal BackgroundProcess(ISandboxBackend backend, ProcessInfo info)
    {
        _backend = backend;
        Info = info;
    }

    /// <summary>The process's id in its sandbox.</summary>
    public string Id => Info.Id;

    /// <summary>The process as last seen.</summary>
    public ProcessInfo Info { get; private set; }

    /// <summary>Output written since the previous call (both streams), and whether the process has ended and everything was read.</summary>
    public async Task<ProcessOutput> ReadOutputAsync(CancellationToken cancellationToken = default)
    {
        var output = await _backend.ReadProcessOutputAsync(Info.SandboxId, Id, _stdoutOffset, _stderrOffset, cancellationToken).ConfigureAwait(false);
        _stdoutOffset = output.StdoutOffset;
        _stderrOffset = output.StderrOffset;
        Info = output.Process;
        return output;
    }

    /// <summary>The output as it comes, polling every <paramref name="interval"/> (default 100 ms), until the process ends and all is read.</summary>
    public async IAsyncEnumerable<OutputChunk> FollowOutputAsync(TimeSpan? interval = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var output = await ReadOutputAsync(cancellationToken).ConfigureAwait(false);
            if (!output.Stdout.IsEmpty)
                yield return new OutputChunk(OutputStream.Stdout, output.Stdout);
            if (!output.Stderr.IsEmpty)
                yield return new OutputChunk(OutputStream.Stderr, output.Stderr);
            if (output.Eof)
            {
                yield return new OutputChunk(OutputStream.None, ReadOnlyMemory<byte>.Empty, new CommandExit(output.Process.ExitCode ?? -1,
                    (output.Process.EndedAt - output.Process.StartedAt) ?? TimeSpan.Zero));
                yield break;
            }
            if (output.Stdout.IsEmpty && output.Stderr.IsEmpty)
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the process ends, or <paramref name="timeout"/> passes (then <see cref="ProcessInfo.IsRunning"/> is still true).</summary>
    public async Task<ProcessInfo> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Info = await _backend.WaitProcessAsync(Info.SandboxId, Id, timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends <paramref name="signal"/> (15 SIGTERM by default) to the process's group.</summary>
    public async Task<ProcessInfo> SignalAsync(int signal = 15, CancellationToken cancellationToken = default) =>
        Info = await _backend.SignalProcessAsync(Info.SandboxId, Id, signal, cancellationToken).ConfigureAwait(false);

    /// <summary>Fetches the process's current state.</summary>
    public async Task<ProcessInfo> RefreshAsync(CancellationToken cancellationToken = default) =>
        Info = await _backend.GetProcessAsync(Info.SandboxId, Id, cancellationToken).ConfigureAwait(false);

    /// <summary>Kills the process if it runs and forgets it; a process or sandbox already gone is not an error.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            await _backend.DeleteProcessAsync(Info.SandboxId, Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AgentFenseException e) when (e is ProcessNotFoundException or SandboxNotFoundException or SandboxNotRunningException)
        {
        }
    }
}
