using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace AgentFense.Internal;

/// <summary>
/// Chooses the backend of a high-level <see cref="Sandbox"/>: the one given, else a server when an endpoint is
/// configured (one shared client per endpoint and key, so every sandbox reuses one channel), else the
/// in-process engine when AgentFense.Embedded is there to provide it.
/// </summary>
internal static class BackendResolver
{
    private static readonly ConcurrentDictionary<(Uri, string?), SandboxClient> s_clients = new();

    /// <summary>Set by AgentFense.Embedded's module initializer: a lease on the process's in-process engine.</summary>
    internal static Func<SandboxOptions, CancellationToken, Task<ISandboxBackend>>? LocalFactory { get; set; }

    /// <summary>The backend and whether the caller must dispose it.</summary>
    public static async Task<(ISandboxBackend Backend, bool Owned)> ResolveAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        if (options.Backend is { } given)
            return (given, false);
        var clientOptions = options.Client ?? new SandboxClientOptions();
        if (clientOptions.ResolveEndpoint() is { } endpoint)
        {
            var client = s_clients.GetOrAdd((endpoint, clientOptions.ResolveApiKey()), _ => new SandboxClient(clientOptions with { Endpoint = endpoint.ToString() }));
            return (new RemoteBackend(client), true);
        }
        var factory = LocalFactory ?? LoadEmbedded();
        if (factory is null)
        {
            throw new InvalidConfigurationException(
                $"no AgentFense server configured (set {SandboxClientOptions.EndpointVariable} or SandboxOptions.Client.Endpoint), and the in-process engine is not available: reference the AgentFense.Embedded package to run sandboxes without a server",
                "NO_BACKEND");
        }
        return (await factory(options, cancellationToken).ConfigureAwait(false), true);
    }

    /// <summary>Loads AgentFense.Embedded when the application ships it, so its initializer registers the engine.</summary>
    private static Func<SandboxOptions, CancellationToken, Task<ISandboxBackend>>? LoadEmbedded()
    {
        try
        {
            var assembly = Assembly.Load(new AssemblyName("AgentFense.Embedded"));
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        return LocalFactory;
    }
}
