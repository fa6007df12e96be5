using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Starts a background process in running sandbox <paramref name="id"/> (the box's default environment and
    /// the workspace as working directory where <paramref name="options"/> give none). Init keeps its output up
    /// to the output limit per stream; the returned handle reads, waits for, signals and releases it.
    /// </summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="InitException">Init could not start the command.</exception>
    public async Task<SandboxProcessHandle> StartProcessAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var box = GetBox(id);
        // Once sent, the request starts the process: giving up on the answer would leave it running with
        // no handle to release it, so only a lost connection ends the wait.
        var process = await box.Client.StartBackgroundAsync(box.WithDefaults(options), CancellationToken.None).ConfigureAwait(false);
        return new SandboxProcessHandle(id, box, process);
    }

    /// <summary>The background processes init of running sandbox <paramref name="id"/> knows: running, and exited ones not yet released.</summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default) =>
        GetBox(id).Client.ListProcessesAsync(cancellationToken);
}
