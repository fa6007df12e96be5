using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;

namespace AgentFense.Engine;

/// <summary>
/// Creates, starts, stops and destroys sandboxes, runs their commands and sessions, and diffs, commits,
/// discards or exports their deltas. Embeddable (the CLI runs it in-process; the server wraps it) and
/// thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Overview.</b> A sandbox is a codebase directory seen through a policy (a FUSE mount of the
/// policy view, writes going to a copy-on-write delta) and a box whose PID 1 is agentfense-init, with the
/// mount bound at <c>/workspace</c>. On disk, in the data directory: <c>deltas/&lt;id&gt;/</c> (kept from
/// stop to start, removed by destroy) and <c>mounts/&lt;id&gt;/</c> (the mount point while running).</para>
/// <para>Constraints: nothing may leak (no process, mount or cgroup after stop or destroy, also after a
/// crash of the process that ran the manager); a long command must not block lifecycle operations of other
/// sandboxes; bwrap returns before its inner PID 1 has died, so the manager's process is a child
/// subreaper.</para>
/// <para>Scheme: <see cref="StartAsync(SandboxManagerOptions, CancellationToken)"/> takes an exclusive lock
/// on the data directory, becomes a subreaper, clears stale FUSE mounts under <c>mounts/</c> and sweeps the
/// cgroup group (kill, then remove) — what a crashed predecessor left. Each sandbox has one gate held by its
/// lifecycle and delta operations; commands take the running box under the gate and run outside it. A box
/// that ends on its own (its init killed, bwrap died) takes its mount down with it and leaves the sandbox
/// stopped.</para>
/// </remarks>
public sealed partial class SandboxManager : IAsyncDisposable
{
    private readonly SandboxManagerOptions _options;
    private readonly ISandboxRegistry _registry;
    private readonly ConcurrentDictionary<string, SandboxEntry> _entries = new(StringComparer.Ordinal);
    private readonly FileStream _dataLock;
    private readonly CgroupManager? _cgroups;
    private int _disposed;

    private SandboxManager(SandboxManagerOptions options, string dataDirectory, FileStream dataLock, IBoxRuntime runtime, CgroupManager? cgroups)
    {
        _options = options;
        _registry = options.Registry ?? new InMemorySandboxRegistry();
        DataDirectory = dataDirectory;
        _dataLock = dataLock;
        Runtime = runtime;
        _cgroups = cgroups;
    }

    /// <summary>The data directory in use.</summary>
    public string DataDirectory { get; }

    /// <summary>The runtime that starts the boxes of bwrap sandboxes (or the runtime given in the options).</summary>
    public IBoxRuntime Runtime { get; }

    /// <summary>Where the deltas live: <c>deltas/</c> of the data directory.</summary>
    public string DeltasDirectory => Path.Combine(DataDirectory, "deltas");

    /// <summary>Where the views are mounted while their sandboxes run: <c>mounts/</c> of the data directory.</summary>
    public string MountsDirectory => Path.Combine(DataDirectory, "mounts");

    /// <summary>
    /// Opens the data directory and cleans what a crashed predecessor left in it: stale mounts under
    /// <c>mounts/</c>, leftover box cgroups of the group (their processes killed); sandboxes the registry
    /// remembers as running are marked stopped.
    /// </summary>
    /// <exception cref="IOException">Another manager uses the data directory.</exception>
    public static async Task<SandboxManager> StartAsync(SandboxManagerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxFileReadBytes);
        if (!File.Exists(options.InitPath))
            throw new FileNotFoundException($"agentfense-init binary '{options.InitPath}' does not exist", options.InitPath);
        var dataDirectory = Path.GetFullPath(options.DataDirectory ?? SandboxManagerOptions.DefaultDataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var dataLock = LockDataDirectory(dataDirectory);
        try
        {
            BubblewrapRuntime.BecomeSubreaper();
            IBoxRuntime runtime;
            CgroupManager? cgroups = null;
            if (options.Runtime is { } given)
            {
                runtime = given;
                cgroups = (given as BubblewrapRuntime)?.Cgroups;
            }
            else
            {
                var bwrapOptions = options.Bubblewrap ?? new BubblewrapRuntimeOptions();
                cgroups = bwrapOptions.Cgroups ?? CgroupManager.Detect(groupName: options.CgroupGroupName);
                runtime = new BubblewrapRuntime(bwrapOptions with { Cgroups = cgroups });
            }
            var manager = new SandboxManager(options, dataDirectory, dataLock, runtime, cgroups);
            await manager.RecoverAsync(cancellationToken).ConfigureAwait(false);
            Live.Add(manager);
            return manager;
        }
        catch
        {
            await dataLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Validates <paramref name="spec"/> (the codebase is an existing directory, the rules compile) and
    /// registers a new sandbox. Cheap: nothing is mounted and nothing runs.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The codebase directory does not exist.</exception>
    /// <exception cref="PolicyException">A rule is not valid.</exception>
    public SandboxRecord Create(SandboxSpec spec)
    {
        using var operation = BeginOperation("create", null);
        ArgumentNullException.ThrowIfNull(spec);
        ThrowIfDisposed();
        var codebase = Path.GetFullPath(spec.CodebasePath);
        if (!Directory.Exists(codebase))
            throw new DirectoryNotFoundException($"codebase '{spec.CodebasePath}' is not a directory");
        _ = PolicyMatcher.Compile(spec.Rules);
        if (spec.Uid == 0 || spec.Gid == 0)
            throw new ArgumentException("the box user may not be root", nameof(spec));
        foreach (var key in spec.Environment.Keys)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
                throw new ArgumentException($"environment name '{key}' is not valid", nameof(spec));
        }
        if (spec.Image is { } image && (image.Length == 0 || image.Any(char.IsWhiteSpace)))
            throw new ArgumentException($"image name '{image}' is not valid", nameof(spec));
        spec = spec with { CodebasePath = codebase };
        while (true)
        {
            var record = new SandboxRecord(NewId(), spec, SandboxState.Created, DateTimeOffset.UtcNow);
            if (_registry.TryAdd(record))
            {
                _entries[record.Id] = new SandboxEntry(record.Id);
                operation.Succeeded(record.Id);
                return record;
            }
        }
    }

    /// <summary>The record of sandbox <paramref name="id"/>.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    public SandboxRecord Get(string id) =>
        _registry.TryGet(id, out var record) ? record : throw new SandboxNotFoundException(id);

    /// <summary>Every sandbox of this manager.</summary>
    public IReadOnlyList<SandboxRecord> List() => _registry.List();

    /// <summary>The running box of sandbox <paramref name="id"/> (its pid, cgroup counters, init client).</summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public Box GetBox(string id) => RunningEntry(id).Box!;

    /// <summary>The delta directory of sandbox <paramref name="id"/>.</summary>
    public string DeltaPath(string id) => Path.Combine(DeltasDirectory, id);

    /// <summary>The host mount point of sandbox <paramref name="id"/>'s view (mounted while it runs).</summary>
    public string MountPath(string id) => Path.Combine(MountsDirectory, id);

    /// <summary>Stops every running sandbox (deltas are kept), removes the empty cgroup group and releases the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Live.Remove(this);
        var stops = _entries.Keys.Select(async id =>
        {
            try
            {
                await StopCoreAsync(id).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxNotFoundException or IOException or BoxException)
            {
                Log($"stopping sandbox {id} at shutdown failed: {e.Message}");
            }
        });
        await Task.WhenAll(stops).ConfigureAwait(false);
        _cgroups?.TryRemoveGroup();
        DisposeDocker();
        await _dataLock.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DeltasDirectory);
        Directory.CreateDirectory(MountsDirectory);
        var cleared = FuseMounts.ClearStaleUnder(MountsDirectory);
        if (cleared > 0)
            Log($"cleared {cleared} stale mount(s) under {MountsDirectory}");
        if (_cgroups is not null)
        {
            var swept = await _cgroups.SweepAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (swept.Count > 0)
                Log($"removed {swept.Count} leftover box cgroup(s): {string.Join(", ", swept)}");
        }
        await SweepDockerAsync(cancellationToken).ConfigureAwait(false);
        foreach (var directory in Directory.EnumerateDirectories(MountsDirectory))
            TryRemoveEmptyDirectory(directory);
        foreach (var record in _registry.List())
        {
            _entries[record.Id] = new SandboxEntry(record.Id);
            if (record.State == SandboxState.Running)
                _registry.Update(record with { State = SandboxState.Stopped });
        }
    }

    private static FileStream LockDataDirectory(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "engine.lock");
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB); the kernel drops it when the process dies.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(pid);
            stream.Flush();
            return stream;
        }
        catch (IOException e)
        {
            throw new IOException($"the data directory '{dataDirectory}' is in use by another engine ({path} is locked)", e);
        }
    }

    private static string NewId() => "sb_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private SandboxEntry Entry(string id)
    {
        ThrowIfDisposed();
        return _entries.TryGetValue(id, out var entry) && !entry.Destroyed ? entry : throw new SandboxNotFoundException(id);
    }

    private SandboxEntry RunningEntry(string id)
    {
        var entry = Entry(id);
        if (entry.Box is null)
            throw new SandboxStateException(id, Get(id).State, $"sandbox '{id}' is not running");
        return entry;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void Log(string message) => _options.Log?.Invoke(message);

    private static void TryRemoveEmptyDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
                Directory.Delete(directory);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
