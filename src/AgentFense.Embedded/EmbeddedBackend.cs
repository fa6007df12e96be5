using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Embedded.Internal;
using AgentFense.Engine;
using static AgentFense.Embedded.Internal.EngineErrors;

namespace AgentFense.Embedded;

/// <summary>
/// The <see cref="ISandboxBackend"/> of the in-process engine: no server, no network. Codebases are local
/// directories used in place (the delta keeps them untouched until a commit), sandboxes are the engine's.
/// What the server keeps in its database (labels, times, sessions, processes) lives here in memory, for the
/// life of the backend; disposing it destroys every sandbox it made and stops the engine.
/// </summary>
/// <remarks>
/// <see cref="Sandbox"/> uses one shared instance per process when no server is configured (see
/// <see cref="SharedEngine"/>); make one yourself for your own data directory or init binary.
/// </remarks>
public sealed partial class EmbeddedBackend : ISandboxBackend
{
    /// <summary>Priority of the rules hiding what ignore files exclude: above any rule a user writes.</summary>
    internal const int HiddenPriority = 1_000_000_000;

    private readonly SandboxManager _manager;
    private readonly string? _ownedDataDirectory;
    private readonly ConcurrentDictionary<string, LocalCodebase> _codebases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrackedSandbox> _sandboxes = new(StringComparer.Ordinal);
    private int _disposed;

    private sealed record LocalCodebase(CodebaseInfo Info, IReadOnlyList<Rule> Hidden);

    /// <summary>What the server would keep of a sandbox beyond the engine's record.</summary>
    private sealed class TrackedSandbox(SandboxInfo info)
    {
        public SandboxInfo Info { get; set; } = info;

        public CancellationTokenSource Expiry { get; } = new();
    }

    private EmbeddedBackend(SandboxManager manager, string? ownedDataDirectory)
    {
        _manager = manager;
        _ownedDataDirectory = ownedDataDirectory;
    }

    /// <summary>The engine underneath, for what the SDK does not wrap.</summary>
    public SandboxManager Manager => _manager;

    /// <inheritdoc />
    public string Description => $"embedded ({_manager.DataDirectory})";

    /// <summary>Starts an engine of its own.</summary>
    /// <exception cref="EmbeddedEngineUnavailableException">Root, /dev/fuse, bwrap or the init binary is missing; all are named.</exception>
    public static async Task<EmbeddedBackend> StartAsync(EmbeddedOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedOptions();
        var initPath = HostRequirements.Check(options);
        var pid = Environment.ProcessId;
        var suffix = $"{pid}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var owned = options.DataDirectory is null ? Path.Combine(SandboxManagerOptions.DefaultDataDirectory, "embedded", suffix) : null;
        var manager = await Guard(() => SandboxManager.StartAsync(new SandboxManagerOptions
        {
            InitPath = initPath,
            DataDirectory = options.DataDirectory ?? owned,
            CgroupGroupName = options.CgroupGroupName ?? $"agentfense-emb-{suffix}",
            Log = options.Log,
        }, cancellationToken)).ConfigureAwait(false);
        return new EmbeddedBackend(manager, owned);
    }

    /// <summary>Destroys every sandbox made through this backend and stops the engine (and removes its own data directory).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var id in _sandboxes.Keys)
        {
            try
            {
                await DestroySandboxAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AgentFenseException)
            {
            }
        }
        await _manager.DisposeAsync().ConfigureAwait(false);
        if (_ownedDataDirectory is not null && Directory.Exists(_ownedDataDirectory))
            Directory.Delete(_ownedDataDirectory, recursive: true);
    }

    /// <inheritdoc />
    public Task<CodebaseInfo> CreateCodebaseFromDirectoryAsync(string directory, string name, Func<string, bool, bool> include,
        IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new InvalidArgumentException($"directory '{directory}' does not exist", "INVALID_PATH");
        // The directory is used in place: what an upload would leave out is hidden by rules above any other.
        var hidden = Internal.LocalTreeRules.Hidden(full, include, HiddenPriority);
        long size = 0;
        var count = 0;
        foreach (var file in AgentFense.Internal.LocalTree.Files(full, include))
        {
            cancellationToken.ThrowIfCancellationRequested();
            size += new FileInfo(file.FullPath).Length;
            count++;
        }
        progress?.Report(new UploadProgress(count, count, size, size, null));
        var info = new CodebaseInfo("cb_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), name, size, count, ReadOnly: false, HostPath: full);
        _codebases[info.Id] = new LocalCodebase(info, hidden);
        return Task.FromResult(info);
    }

    /// <summary>Registers a local directory as a codebase, used in place with nothing hidden beyond what the sandboxes' rules hide.</summary>
    public Task<CodebaseInfo> RegisterDirectoryAsync(string directory, string? name = null, CancellationToken cancellationToken = default) =>
        CreateCodebaseFromDirectoryAsync(directory, name ?? Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/')), static (_, _) => true, null, cancellationToken);

    /// <inheritdoc />
    public Task<CodebaseInfo> GetCodebaseAsync(string codebaseId, CancellationToken cancellationToken) =>
        Task.FromResult(Codebase(codebaseId).Info);

    /// <inheritdoc />
    public Task DeleteCodebaseAsync(string codebaseId, CancellationToken cancellationToken)
    {
        Codebase(codebaseId);
        if (_sandboxes.Values.Any(s => s.Info.CodebaseId == codebaseId))
            throw new CodebaseInUseException($"codebase '{codebaseId}' still has sandboxes", "CODEBASE_IN_USE");
        // The directory is the user's own: forgetting it is all a delete means here.
        _codebases.TryRemove(codebaseId, out _);
        return Task.CompletedTask;
    }

    private LocalCodebase Codebase(string id) =>
        _codebases.TryGetValue(id, out var codebase) ? codebase : throw new CodebaseNotFoundException($"no codebase '{id}'", "CODEBASE_NOT_FOUND");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
