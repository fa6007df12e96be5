using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Docker;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    private readonly Lock _dockerLock = new();
    private DockerRuntime? _docker;

    /// <summary>The docker runtime, made on first use (nothing contacts the daemon until a docker sandbox starts).</summary>
    public DockerRuntime Docker
    {
        get
        {
            lock (_dockerLock)
                return _docker ??= new DockerRuntime(DockerOptions());
        }
    }

    /// <summary>The runtime that starts the boxes of <paramref name="spec"/>.</summary>
    public IBoxRuntime RuntimeFor(SandboxSpec spec) => spec.Runtime == BoxRuntimeKind.Docker ? Docker : Runtime;

    private DockerRuntimeOptions DockerOptions()
    {
        var given = _options.Docker;
        var stateDirectory = _options.Bubblewrap?.StateDirectory ?? new BubblewrapRuntimeOptions().StateDirectory;
        return given ?? new DockerRuntimeOptions { GroupName = _options.CgroupGroupName, StateDirectory = stateDirectory };
    }

    /// <summary>
    /// Removes the containers a crashed predecessor left (their init lost its engine). Only when the daemon is
    /// configured to be there (its socket exists, or a TCP endpoint is named), so a host without Docker pays
    /// nothing; a daemon that does not answer is logged, and docker sandboxes then fail to start on their own.
    /// </summary>
    private async Task SweepDockerAsync(CancellationToken cancellationToken)
    {
        var endpoint = Docker.Endpoint;
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.LocalPath))
            return;
        // A daemon that hangs must not hold up the start of a manager that may never run a docker sandbox.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            var removed = await Docker.SweepAsync(timeout.Token).ConfigureAwait(false);
            if (removed.Count > 0)
                Log($"removed {removed.Count} leftover docker container(s): {string.Join(", ", removed)}");
        }
        catch (BoxException e)
        {
            Log($"could not remove leftover docker containers: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log($"the Docker daemon at {Docker.EndpointDescription} did not list its containers within 15 s; leftover containers were not removed");
        }
    }

    private void DisposeDocker()
    {
        lock (_dockerLock)
            _docker?.Dispose();
    }
}
