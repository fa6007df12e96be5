using System.Net;
using System.Net.Sockets;
using AgentFense.Runtime.Boxes;
using Docker.DotNet;

namespace AgentFense.Runtime.Docker;

/// <summary>Engine API calls with one rule for a daemon that cannot be reached.</summary>
public sealed partial class DockerRuntime
{
    /// <summary>Runs an Engine API call; a daemon that cannot be reached becomes <see cref="BoxRuntimeUnavailableException"/>.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw Unavailable(e);
        }
    }

    private async Task Call(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw Unavailable(e);
        }
    }

    private BoxRuntimeUnavailableException Unavailable(Exception e) =>
        new("docker", EndpointDescription, $"the Docker daemon is not reachable at {EndpointDescription}: {Innermost(e).Message}", e);

    private static bool IsUnreachable(Exception e) => e is HttpRequestException or SocketException or IOException
        || (e is TimeoutException) || (e is DockerApiException api && api.StatusCode == HttpStatusCode.ServiceUnavailable);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e;
    }
}
