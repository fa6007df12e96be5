using System.Net;
using System.Net.Sockets;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Init;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// Boxes as Docker containers from any image, with agentfense-init as PID 1. The runtime only creates,
/// limits and removes the container through the Docker Engine API; commands, stdin, output, background
/// processes and sessions go through init over a unix socket, exactly as in bwrap boxes (no
/// <c>docker exec</c> per command).
/// </summary>
/// <remarks>
/// Start sequence (a failure removes what exists, in reverse): listen on <c>docker/&lt;id&gt;/init.sock</c> of
/// the state directory; look the image up (a missing one is a <see cref="BoxImageNotFoundException"/> before
/// anything is created: images are never pulled implicitly); create the container
/// (<see cref="ContainerRequest"/>); write its passwd and group (<see cref="BoxUser"/>; the image's own files
/// are read once per image id, since each read makes the daemon mount the container's root); start it and
/// wait for it in the background; accept init's connection (or see the container exit first, with its log in
/// the error); wait for init's Hello. An unreachable daemon is a <see cref="BoxRuntimeUnavailableException"/>
/// naming the socket tried.
/// </remarks>
public sealed partial class DockerRuntime : IBoxRuntime, IDisposable
{
    private readonly DockerRuntimeOptions _options;
    private readonly DockerClient _client;
    private readonly InitBinaryCopies _initCopies;
    private readonly Lock _loaderLock = new();
    private readonly Dictionary<string, InitLoader> _loaders = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ImageUsers> _imageUsers = new(StringComparer.Ordinal);

    /// <summary>Creates the runtime; nothing is contacted until the first call.</summary>
    /// <exception cref="ArgumentException"><c>DOCKER_HOST</c> is not a usable address.</exception>
    public DockerRuntime(DockerRuntimeOptions? options = null)
    {
        _options = options ?? new DockerRuntimeOptions();
        Endpoint = DockerEndpoint.Resolve(_options.Endpoint, Environment.GetEnvironmentVariable("DOCKER_HOST"));
        // No API version in the path: the daemon answers in its own, so old and new daemons both work.
        _client = new DockerClientConfiguration(Endpoint, defaultTimeout: TimeSpan.FromSeconds(60)).CreateClient();
        _initCopies = new InitBinaryCopies(_options.StateDirectory);
    }

    /// <inheritdoc />
    public string Name => "docker";

    /// <summary>The Engine API endpoint in use.</summary>
    public Uri Endpoint { get; }

    /// <summary>The settings in use.</summary>
    public DockerRuntimeOptions Options => _options;

    /// <summary>Where the daemon was looked for, as messages name it (the socket path).</summary>
    public string EndpointDescription => DockerEndpoint.Describe(Endpoint);

    /// <summary>The Engine API create request this runtime would send for <paramref name="spec"/> (for logs and tests).</summary>
    public CreateContainerParameters DescribeContainer(BoxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var image = spec.Image ?? _options.DefaultImage ?? "";
        var run = Path.Combine(_options.StateDirectory, "docker", spec.Id);
        return ContainerRequest.Build(spec, image, _options, Loader(spec.InitPath), _initCopies.Get(spec.InitPath), run, run + ".etc");
    }

    /// <inheritdoc />
    public async Task<Box> StartAsync(BoxSpec spec, CancellationToken cancellationToken = default)
    {
        spec.Validate();
        var image = spec.Image ?? _options.DefaultImage
            ?? throw new BoxImageNotFoundException("", $"box {spec.Id} names no image and the docker runtime has no default image");
        if (string.IsNullOrWhiteSpace(image))
            throw new BoxImageNotFoundException(image, $"box {spec.Id}: the image name is empty");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var loader = Loader(spec.InitPath);
        var initCopy = _initCopies.Get(spec.InitPath);
        var listener = InitListener.Create(_options.StateDirectory, spec.Id, spec.Uid, spec.Gid);
        string? containerId = null;
        Socket? connection = null;
        InitClient? client = null;
        try
        {
            var imageId = await ImageIdAsync(image, timeout.Token).ConfigureAwait(false);
            BoxUser.Prepare(listener.EtcDirectory);
            var request = ContainerRequest.Build(spec, image, _options, loader, initCopy, listener.Directory, listener.EtcDirectory);
            containerId = await CreateAsync(spec, image, request, timeout.Token).ConfigureAwait(false);
            if (!_imageUsers.TryGetValue(imageId, out var users))
            {
                var id = containerId;
                users = await Call(() => BoxUser.ReadAsync(_client, id, timeout.Token)).ConfigureAwait(false);
                _imageUsers[imageId] = users;
            }
            BoxUser.Write(listener.EtcDirectory, users, spec);
            await Call(() => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), timeout.Token)).ConfigureAwait(false);
            var exit = WaitExitAsync(containerId);
            var accept = listener.AcceptAsync(timeout.Token);
            if (await Task.WhenAny(accept, exit).ConfigureAwait(false) != accept)
            {
                var code = await exit.ConfigureAwait(false);
                throw new BoxException($"box {spec.Id}: container exited (code {code}) before init connected; container log: {await LogTailAsync(containerId).ConfigureAwait(false)}");
            }
            connection = await accept.ConfigureAwait(false);
            var connect = InitClient.ConnectAsync(connection, timeout.Token);
            if (await Task.WhenAny(connect, exit).ConfigureAwait(false) != connect)
                throw new BoxException($"box {spec.Id}: container exited before init was ready; container log: {await LogTailAsync(containerId).ConfigureAwait(false)}");
            client = await connect.ConfigureAwait(false);
            var pid = PeerPid(connection) is var peer and > 0 ? peer : await InitPidAsync(containerId, timeout.Token).ConfigureAwait(false);
            return new DockerBox(spec, image, this, containerId, pid, client, connection, listener, exit);
        }
        catch (Exception e)
        {
            if (client is not null)
                await client.DisposeAsync().ConfigureAwait(false);
            connection?.Dispose();
            if (containerId is not null)
            {
                try
                {
                    await RemoveContainerAsync(containerId).ConfigureAwait(false);
                }
                catch (BoxException)
                {
                }
            }
            listener.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new BoxException($"box {spec.Id} did not start within {_options.StartTimeout}", e);
            if (e is BoxException or OperationCanceledException)
                throw;
            throw new BoxException($"box {spec.Id} failed to start: {e.Message}", e);
        }
    }

    /// <summary>Removes container <paramref name="containerId"/> with force (its processes are killed); a container already gone is fine.</summary>
    /// <exception cref="BoxException">The daemon refused or could not be reached.</exception>
    public async Task RemoveContainerAsync(string containerId)
    {
        try
        {
            await Call(() => _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true })).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict && e.ResponseBody.Contains("already in progress", StringComparison.Ordinal))
        {
            // Another removal (the box's own teardown racing a sweep) is under way; wait for it to finish.
            await WaitExitAsync(containerId).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new BoxException($"removing container {containerId} failed: {e.StatusCode} {e.ResponseBody}", e);
        }
    }

    /// <summary>Checks that <paramref name="image"/> exists on the daemon (nothing is pulled).</summary>
    /// <exception cref="BoxImageNotFoundException">It does not.</exception>
    /// <exception cref="BoxRuntimeUnavailableException">The daemon is not reachable.</exception>
    public async Task CheckImageAsync(string image, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        await ImageIdAsync(image, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the Engine API client.</summary>
    public void Dispose() => _client.Dispose();

    private InitLoader Loader(string initPath)
    {
        lock (_loaderLock)
        {
            if (!_loaders.TryGetValue(initPath, out var loader))
                _loaders[initPath] = loader = InitLoader.Probe(initPath);
            return loader;
        }
    }
}

