using System.Net.Sockets;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// A running docker box (what <see cref="DockerRuntime.StartAsync"/> returns). It ends when it is stopped
/// or on its own (init exited or was killed, the container was removed behind our back); either way one
/// teardown runs, once: the container is removed with force (Docker kills every process in it), init's
/// connection is closed and the run directory removed. Only then does <see cref="Exited"/> complete.
/// </summary>
public sealed class DockerBox : Box
{
    private readonly DockerRuntime _runtime;
    private readonly Socket _socket;
    private readonly InitListener _listener;
    private readonly ContainerCgroup _cgroup;
    private readonly TaskCompletionSource<BoxExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _oomKills;
    private long _exitCode = -1;
    private string _logTail = "";

    internal DockerBox(BoxSpec spec, string image, DockerRuntime runtime, string containerId, int pid, InitClient client, Socket socket,
        InitListener listener, Task<long> containerExit)
        : base(spec)
    {
        _runtime = runtime;
        Image = image;
        ContainerId = containerId;
        Pid = pid;
        Client = client;
        _socket = socket;
        _listener = listener;
        _cgroup = ContainerCgroup.Of(pid);
        _ = containerExit.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
                Interlocked.Exchange(ref _exitCode, t.Result);
            return TearDown(stopped: false);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    /// <summary>The Docker container id.</summary>
    public string ContainerId { get; }

    /// <summary>The image the container runs.</summary>
    public string Image { get; }

    /// <summary>The last lines init and the container wrote (kept when the box ended on its own; empty otherwise).</summary>
    public string LogTail => Volatile.Read(ref _logTail);

    /// <summary>The memory cgroup Docker made for the container (null when not found).</summary>
    public string? CgroupDirectory => _cgroup.Directory;

    /// <inheritdoc />
    public override InitClient Client { get; }

    /// <inheritdoc />
    public override int Pid { get; }

    /// <inheritdoc />
    public override Task<BoxExit> Exited => _exited.Task;

    /// <inheritdoc />
    public override long OomKillCount => _exited.Task.IsCompleted ? Interlocked.Read(ref _oomKills) : Math.Max(Interlocked.Read(ref _oomKills), _cgroup.OomKillCount);

    /// <inheritdoc />
    public override long MemoryUsageBytes => _exited.Task.IsCompleted ? 0 : _cgroup.MemoryUsageBytes;

    /// <inheritdoc />
    protected override async Task TearDownAsync(bool stopped)
    {
        // The counter lives in the container's cgroup, which goes with the container.
        Interlocked.Exchange(ref _oomKills, Math.Max(Interlocked.Read(ref _oomKills), _cgroup.OomKillCount));
        Exception? failure = null;
        // A box that ended on its own says why in its log, which goes with the container.
        if (!stopped)
            Volatile.Write(ref _logTail, await _runtime.LogTailAsync(ContainerId).ConfigureAwait(false));
        try
        {
            await _runtime.RemoveContainerAsync(ContainerId).ConfigureAwait(false);
        }
        catch (BoxException e)
        {
            failure = e;
        }
        await Client.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _listener.Dispose();
        var code = Interlocked.Read(ref _exitCode);
        _exited.TrySetResult(new BoxExit(code < 0 ? 137 : (int)code, Interlocked.Read(ref _oomKills), stopped));
        if (failure is not null)
            throw failure;
    }
}
