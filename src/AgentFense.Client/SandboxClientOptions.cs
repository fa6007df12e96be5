namespace AgentFense;

/// <summary>Where the server is and how to talk to it.</summary>
public sealed record SandboxClientOptions
{
    /// <summary>The environment variable naming the endpoint: <c>host:port</c> or a URL (<c>http://…</c>, <c>https://…</c>).</summary>
    public const string EndpointVariable = "AGENTFENSE_ENDPOINT";

    /// <summary>The environment variable holding the API key.</summary>
    public const string ApiKeyVariable = "AGENTFENSE_API_KEY";

    /// <summary>The server's gRPC endpoint: <c>host:port</c> (plain HTTP/2) or a URL; null: <see cref="EndpointVariable"/>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The API key sent as <c>Authorization: Bearer</c>; null: <see cref="ApiKeyVariable"/>, else none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>How many times a call that changes nothing (get, list, read) is tried again when the server is UNAVAILABLE.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first pause between retries; it doubles each time (with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A deadline for each call; null: none. Calls that run a command get the command's timeout on top, and
    /// streams are not bounded by it.
    /// </summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Options with the endpoint and key from the environment (null endpoint when the variable is unset).</summary>
    public static SandboxClientOptions FromEnvironment() => new();

    /// <summary>The endpoint as a URL, or null when neither the option nor the variable names one.</summary>
    /// <exception cref="InvalidConfigurationException">The endpoint is not <c>host:port</c> or an http(s) URL.</exception>
    public Uri? ResolveEndpoint()
    {
        var text = Endpoint ?? Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw new InvalidConfigurationException($"endpoint '{Endpoint ?? Environment.GetEnvironmentVariable(EndpointVariable)}' is not host:port or an http(s) URL", "INVALID_ENDPOINT");
        return uri;
    }

    /// <summary>The API key from the option or the environment, or null.</summary>
    public string? ResolveApiKey() =>
        ApiKey ?? (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null);
}
