using System.Net;
using System.Net.Sockets;
using AgentFense.Runtime.Boxes;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace AgentFense.Runtime.Docker;

/// <summary>The Engine API calls of a box's container: image lookup, create, wait, inspect, logs.</summary>
public sealed partial class DockerRuntime
{
    private async Task<string> CreateAsync(BoxSpec spec, string image, CreateContainerParameters request, CancellationToken cancellationToken)
    {
        try
        {
            return (await Call(() => _client.Containers.CreateContainerAsync(request, cancellationToken)).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound && e.ResponseBody.Contains("No such image", StringComparison.OrdinalIgnoreCase))
        {
            // Removed between the check and the create.
            throw new BoxImageNotFoundException(image, $"image '{image}' does not exist on the Docker daemon at {EndpointDescription} (images are not pulled implicitly: pull or build it first)", e);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // A container of this box outlived its engine (a crash before the sweep): replace it.
            await RemoveContainerAsync(ContainerRequest.Name(spec.Id)).ConfigureAwait(false);
            return (await Call(() => _client.Containers.CreateContainerAsync(request, cancellationToken)).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException e)
        {
            throw new BoxException($"box {spec.Id}: creating the container from '{image}' failed: {e.StatusCode} {e.ResponseBody}", e);
        }
    }

    /// <summary>The id of <paramref name="image"/> (content-addressed: what the passwd cache is keyed by).</summary>
    /// <exception cref="BoxImageNotFoundException">The daemon does not have it, or the name is not a valid reference.</exception>
    private async Task<string> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            return (await Call(() => _client.Images.InspectImageAsync(image, cancellationToken)).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BoxImageNotFoundException(image, $"image '{image}' does not exist on the Docker daemon at {EndpointDescription} (images are not pulled implicitly: pull or build it first)", e);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            // The daemon's answer to a name it cannot parse ("invalid reference format").
            throw new BoxImageNotFoundException(image, $"image '{image}' is not a valid image reference: {e.ResponseBody.Trim()}", e);
        }
    }

    /// <summary>Completes with the container's exit code when it ends (or is removed); -1 when the daemon went away.</summary>
    private async Task<long> WaitExitAsync(string containerId)
    {
        while (true)
        {
            try
            {
                return (await _client.Containers.WaitContainerAsync(containerId, CancellationToken.None).ConfigureAwait(false)).StatusCode;
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // A long poll the client gave up on is not an exit: wait again while the container runs.
                if (!await IsRunningAsync(containerId).ConfigureAwait(false))
                    return -1;
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or SocketException)
            {
                return -1;
            }
        }
    }

    private async Task<bool> IsRunningAsync(string containerId)
    {
        try
        {
            var inspect = await _client.Containers.InspectContainerAsync(containerId, CancellationToken.None).ConfigureAwait(false);
            return inspect.State.Running;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<int> InitPidAsync(string containerId, CancellationToken cancellationToken)
    {
        var inspect = await Call(() => _client.Containers.InspectContainerAsync(containerId, cancellationToken)).ConfigureAwait(false);
        return (int)inspect.State.Pid;
    }

    /// <summary>The host pid of the process that connected (init): SO_PEERCRED, no round trip to the daemon; 0 when unknown.</summary>
    private static int PeerPid(Socket connection)
    {
        const int SolSocket = 1;
        const int SoPeerCred = 17;
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            return connection.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == credentials.Length
                ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(credentials) : 0;
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    /// <summary>The last lines container <paramref name="containerId"/> wrote (stdout and stderr), or why they are not available.</summary>
    internal async Task<string> LogTailAsync(string containerId)
    {
        try
        {
            using var logs = await _client.Containers.GetContainerLogsAsync(containerId, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "20" }, CancellationToken.None).ConfigureAwait(false);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None).ConfigureAwait(false);
            return (stdout + stderr).Trim();
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return $"(unavailable: {e.Message})";
        }
    }
}
