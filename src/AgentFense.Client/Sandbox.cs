using AgentFense.Internal;

namespace AgentFense;

/// <summary>
/// A sandbox for an agent: a policy view of a codebase with its own copy-on-write delta, where commands run in a
/// box. The same API works against a server and in-process (AgentFense.Embedded):
/// <code>
/// await using var sandbox = await Sandbox.FromLocalAsync("./my-project", preset: Presets.AgentSafe);
/// var result = await sandbox.RunAsync("python main.py");
/// Console.WriteLine(result.Stdout);
/// </code>
/// Disposing destroys what this object created (the sandbox, the codebase it uploaded) and leaves alone what it
/// only connected to.
/// </summary>
public sealed partial class Sandbox : IAsyncDisposable
{
    private readonly bool _ownsBackend;
    private readonly bool _ownsCodebase;
    private readonly List<SandboxSession> _sessions = [];
    private int _disposed;

    private Sandbox(ISandboxBackend backend, SandboxInfo info, bool ownsBackend, bool ownsSandbox, bool ownsCodebase)
    {
        Backend = backend;
        Info = info;
        _ownsBackend = ownsBackend;
        DestroyOnDispose = ownsSandbox;
        _ownsCodebase = ownsCodebase;
    }

    /// <summary>The sandbox's id.</summary>
    public string Id => Info.Id;

    /// <summary>The codebase it is a view of.</summary>
    public string CodebaseId => Info.CodebaseId;

    /// <summary>The sandbox as last seen (refreshed by lifecycle calls and <see cref="RefreshAsync"/>).</summary>
    public SandboxInfo Info { get; private set; }

    /// <summary>Its status as last seen.</summary>
    public SandboxStatus Status => Info.Status;

    /// <summary>What it runs on.</summary>
    public ISandboxBackend Backend { get; }

    /// <summary>
    /// Whether disposing destroys the sandbox (and the codebase this object uploaded): true for sandboxes this
    /// object created, false for <see cref="ConnectAsync"/>. Set false to keep it.
    /// </summary>
    public bool DestroyOnDispose { get; set; }

    /// <summary>Fetches the sandbox's current state.</summary>
    public async Task<SandboxInfo> RefreshAsync(CancellationToken cancellationToken = default) =>
        Info = await Backend.GetSandboxAsync(Id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Closes its sessions, destroys the sandbox and the codebase it created (see <see cref="DestroyOnDispose"/>),
    /// and releases the backend it chose. Never throws for a sandbox already gone.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            foreach (var session in Sessions())
                await session.DisposeAsync().ConfigureAwait(false);
            if (DestroyOnDispose)
                await DestroyCoreAsync(_ownsCodebase, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (_ownsBackend)
                await Backend.DisposeAsync().ConfigureAwait(false);
        }
    }

    private SandboxSession[] Sessions()
    {
        lock (_sessions)
            return [.. _sessions];
    }

    internal void Forget(SandboxSession session)
    {
        lock (_sessions)
            _sessions.Remove(session);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static string RelativePath(string path) => path.Replace('\\', '/').TrimStart('/');

    private static Func<string, bool, bool> IncludeFilter(string directory, SandboxOptions options)
    {
        var ignores = new IgnoreSet(directory, options.IgnoreFiles);
        var policy = new PolicyFilter(options.EffectiveRules());
        return (path, isDirectory) => !ignores.IsIgnored(path, isDirectory) && policy.Includes(path, isDirectory);
    }
}
