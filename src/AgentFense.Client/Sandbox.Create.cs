using AgentFense.Internal;

namespace AgentFense;

public sealed partial class Sandbox
{
    /// <summary>
    /// A running sandbox over a local directory. Against a server the tree is uploaded into a new codebase —
    /// without what the ignore files (<see cref="SandboxOptions.IgnoreFiles"/>) exclude, <c>.git</c>, symbolic
    /// links, and what the rules certainly hide (secrets never leave the machine). In-process the directory is
    /// used in place (the delta keeps it untouched until <see cref="CommitAsync"/>) and the same entries are
    /// hidden by extra rules. Disposing destroys the sandbox and the codebase.
    /// </summary>
    /// <param name="directory">The project directory.</param>
    /// <param name="preset">The preset the rules start from (default <see cref="Presets.AgentSafe"/>); overrides <see cref="SandboxOptions.Preset"/>.</param>
    /// <param name="options">Rules, limits, labels, backend...</param>
    /// <param name="cancellationToken">Cancels the creation; what was made is removed.</param>
    /// <exception cref="InvalidArgumentException">The directory does not exist.</exception>
    public static async Task<Sandbox> FromLocalAsync(string directory, Preset? preset = null, SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        if (preset is not null)
            options = options with { Preset = preset };
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new InvalidArgumentException($"directory '{directory}' does not exist", "INVALID_PATH");
        var (backend, ownsBackend) = await BackendResolver.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        CodebaseInfo? codebase = null;
        try
        {
            codebase = await backend.CreateCodebaseFromDirectoryAsync(full, Path.GetFileName(full.TrimEnd('/')) is { Length: > 0 } name ? name : "root",
                IncludeFilter(full, options), options.UploadProgress, cancellationToken).ConfigureAwait(false);
            var info = await CreateAndStartAsync(backend, codebase.Id, options, cancellationToken).ConfigureAwait(false);
            return new Sandbox(backend, info, ownsBackend, ownsSandbox: true, ownsCodebase: true);
        }
        catch
        {
            if (codebase is not null)
                await IgnoreFailureAsync(() => backend.DeleteCodebaseAsync(codebase.Id, CancellationToken.None)).ConfigureAwait(false);
            if (ownsBackend)
                await backend.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new sandbox over an existing codebase, started unless <paramref name="start"/> is false. Disposing destroys the sandbox, not the codebase.</summary>
    public static async Task<Sandbox> FromCodebaseAsync(string codebaseId, SandboxOptions? options = null, bool start = true, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var (backend, ownsBackend) = await BackendResolver.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = start
                ? await CreateAndStartAsync(backend, codebaseId, options, cancellationToken).ConfigureAwait(false)
                : await backend.CreateSandboxAsync(codebaseId, options, cancellationToken).ConfigureAwait(false);
            return new Sandbox(backend, info, ownsBackend, ownsSandbox: true, ownsCodebase: false);
        }
        catch
        {
            if (ownsBackend)
                await backend.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An existing sandbox by id; disposing leaves it as it is (see <see cref="DestroyOnDispose"/>).</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    public static async Task<Sandbox> ConnectAsync(string sandboxId, SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var (backend, ownsBackend) = await BackendResolver.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = await backend.GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            return new Sandbox(backend, info, ownsBackend, ownsSandbox: false, ownsCodebase: false);
        }
        catch
        {
            if (ownsBackend)
                await backend.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<SandboxInfo> CreateAndStartAsync(ISandboxBackend backend, string codebaseId, SandboxOptions options, CancellationToken cancellationToken)
    {
        var created = await backend.CreateSandboxAsync(codebaseId, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await backend.StartSandboxAsync(created.Id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await IgnoreFailureAsync(() => backend.DestroySandboxAsync(created.Id, CancellationToken.None)).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a clean-up step whose failure must not hide the error being raised.</summary>
    private static async Task IgnoreFailureAsync(Func<Task> cleanup)
    {
        try
        {
            await cleanup().ConfigureAwait(false);
        }
        catch (AgentFenseException)
        {
        }
    }
}
