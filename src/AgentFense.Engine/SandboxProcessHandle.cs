using AgentFense.Init.Protocol;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Init;

namespace AgentFense.Engine;

/// <summary>
/// A background process of a sandbox, bound to the box it was started in: once that box ends (the sandbox
/// stopped, or its init died) every call fails with <see cref="InitException"/>, so a process id of an
/// earlier box can never reach a process of a later one.
/// </summary>
public sealed class SandboxProcessHandle
{
    private readonly Box _box;

    internal SandboxProcessHandle(string sandboxId, Box box, BackgroundProcess process)
    {
        SandboxId = sandboxId;
        _box = box;
        Process = process;
    }

    /// <summary>The sandbox the process runs in.</summary>
    public string SandboxId { get; }

    /// <summary>Init's id of the process and its pid in the box.</summary>
    public BackgroundProcess Process { get; }

    /// <summary>Completes when the box the process ran in has ended, and the process with it.</summary>
    public Task BoxEnded => _box.Exited;

    /// <summary>Waits for the process to exit.</summary>
    /// <exception cref="InitException">The process was released, or its box is gone.</exception>
    public Task<ExitStatus> WaitAsync(CancellationToken cancellationToken = default) =>
        CallAsync(client => client.WaitProcessAsync(Process.Id, cancellationToken));

    /// <summary>Sends <paramref name="signal"/> to the process's group (nothing happens once it exited).</summary>
    /// <exception cref="InitException">The box is gone.</exception>
    public async ValueTask SignalAsync(int signal) =>
        await CallAsync(async client =>
        {
            await client.SignalAsync(Process.Id, signal).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    /// <summary>Reads up to <paramref name="maxBytes"/> of the output init kept of <paramref name="stream"/>, from <paramref name="offset"/>.</summary>
    /// <exception cref="InitException">The process was released, or its box is gone.</exception>
    public Task<OutputData> ReadOutputAsync(OutputStream stream, long offset, int maxBytes, CancellationToken cancellationToken = default) =>
        CallAsync(client => client.ReadProcessOutputAsync(Process.Id, stream, offset, maxBytes, cancellationToken));

    /// <summary>Kills the process if it still runs and makes init forget it and its output.</summary>
    /// <exception cref="InitException">The process was already released, or its box is gone.</exception>
    public Task ReleaseAsync(CancellationToken cancellationToken = default) =>
        CallAsync(async client =>
        {
            await client.ReleaseProcessAsync(Process.Id, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>A stopped box disposed its client, which then refuses new requests: that too is the box having ended.</summary>
    private async Task<T> CallAsync<T>(Func<InitClient, Task<T>> call)
    {
        try
        {
            return await call(_box.Client).ConfigureAwait(false);
        }
        catch (ObjectDisposedException e)
        {
            throw new InitException($"the box of background process {Process.Id} has ended", e);
        }
    }
}
