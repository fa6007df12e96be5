using Docker.DotNet.Models;

namespace AgentFense.Runtime.Docker;

public sealed partial class DockerRuntime
{
    /// <summary>
    /// Removes every container labelled as this runtime's group (their init lost its engine: a crash or
    /// <c>kill -9</c> of the engine) and the run directories left beside them; returns the box ids removed.
    /// Call it at engine start, before any box of this runtime starts.
    /// </summary>
    /// <exception cref="Boxes.BoxRuntimeUnavailableException">The daemon is not reachable.</exception>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken cancellationToken = default)
    {
        var containers = await Call(() => _client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool>
                {
                    [$"{DockerLabels.Managed}=true"] = true,
                    [$"{DockerLabels.Group}={_options.GroupName}"] = true,
                },
            },
        }, cancellationToken)).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var container in containers)
        {
            await RemoveContainerAsync(container.ID).ConfigureAwait(false);
            removed.Add(container.Labels.TryGetValue(DockerLabels.Sandbox, out var id) ? id : container.ID);
        }
        // Only the run directories of the boxes swept: another engine's boxes may be starting beside them.
        var gone = removed.ToHashSet(StringComparer.Ordinal);
        InitListener.RemoveAll(_options.StateDirectory, id => !gone.Contains(id));
        return removed;
    }
}
