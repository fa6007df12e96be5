using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Boxes;

/// <summary>
/// A running box: its init's client, pid and lifecycle. Disposing stops it: every process of the
/// box is killed and reaped, and its cgroup removed.
/// </summary>
public abstract class Box : IAsyncDisposable
{
    private readonly Lock _teardownLock = new();
    private Task? _teardown;

    /// <summary>Creates the box record.</summary>
    protected Box(BoxSpec spec)
    {
        Spec = spec;
        Environment = spec.BuildEnvironment();
    }

    /// <summary>The spec it was started from.</summary>
    public BoxSpec Spec { get; }

    /// <summary>The box id.</summary>
    public string Id => Spec.Id;

    /// <summary>The client of the box's init (Hello already received).</summary>
    public abstract InitClient Client { get; }

    /// <summary>Host pid of the box's init (its PID 1).</summary>
    public abstract int Pid { get; }

    /// <summary>The default environment of the box's commands (KEY=VALUE).</summary>
    public IReadOnlyList<string> Environment { get; }

    /// <summary>Completes when the box has ended (for any reason), with what ended it.</summary>
    public abstract Task<BoxExit> Exited { get; }

    /// <summary>How many processes of this box the kernel has OOM-killed so far.</summary>
    public abstract long OomKillCount { get; }

    /// <summary>Memory charged to the box's cgroup now, in bytes.</summary>
    public abstract long MemoryUsageBytes { get; }

    /// <summary>
    /// <paramref name="options"/> with the box's default environment where the caller gave none
    /// (plus <c>TERM=xterm-256color</c> for a PTY) and the workspace as working directory where
    /// the caller gave none.
    /// </summary>
    public ExecOptions WithDefaults(ExecOptions options) => options with
    {
        Environment = options.Environment.Count != 0 ? options.Environment
            : options.Pty is not null && !Environment.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)) ? [.. Environment, "TERM=xterm-256color"]
            : Environment,
        WorkingDirectory = options.WorkingDirectory ?? Spec.WorkspacePath,
    };

    /// <summary>Kills everything in the box and removes its cgroup; safe to call twice.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        await TearDown(stopped: true).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Tears the box down exactly once, whichever comes first: a <see cref="StopAsync"/> or the box ending on its
    /// own (<paramref name="stopped"/> false). Later calls get the same task.
    /// </summary>
    protected Task TearDown(bool stopped)
    {
        lock (_teardownLock)
            return _teardown ??= Task.Run(() => TearDownAsync(stopped));
    }

    /// <summary>The runtime's teardown; called once, by <see cref="TearDown"/>.</summary>
    protected abstract Task TearDownAsync(bool stopped);

    /// <summary>Stops the box.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
