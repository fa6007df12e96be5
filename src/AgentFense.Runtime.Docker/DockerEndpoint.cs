namespace AgentFense.Runtime.Docker;

/// <summary>Where the Docker daemon is: the explicit endpoint, else <c>DOCKER_HOST</c>, else the default unix socket.</summary>
internal static class DockerEndpoint
{
    /// <summary>The daemon's default socket.</summary>
    public static readonly Uri Default = new("unix:///var/run/docker.sock");

    /// <summary>Resolves the endpoint; an unusable <c>DOCKER_HOST</c> is an error naming it.</summary>
    public static Uri Resolve(Uri? given, string? dockerHost)
    {
        if (given is not null)
            return given;
        if (string.IsNullOrWhiteSpace(dockerHost))
            return Default;
        if (!Uri.TryCreate(dockerHost.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https"))
            throw new ArgumentException($"DOCKER_HOST '{dockerHost}' is not a unix://, tcp:// or http(s):// address", nameof(dockerHost));
        return uri;
    }

    /// <summary>How the endpoint reads in messages (the socket path for unix endpoints).</summary>
    public static string Describe(Uri endpoint) => endpoint.Scheme == "unix" ? endpoint.LocalPath : endpoint.ToString();
}
