using System.Net.Sockets;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// A running bwrap box (what <see cref="BubblewrapRuntime.StartAsync"/> returns). Overview: the box ends either because it is stopped or on its own (init
/// exited, was OOM-killed, bwrap died); either way one teardown runs, once: kill everything in
/// the cgroup (the box pid first, which as PID 1 of the pid namespace takes the namespace with
/// it), close init's socket, reap bwrap (the watcher) and the box pid if bwrap left it to us as
/// subreaper, end slirp4netns, remove the cgroup. Only then does <see cref="Exited"/> complete.
/// </summary>
public sealed class BubblewrapBox : Box
{
    private readonly Cgroup _cgroup;
    private readonly SlirpNetwork? _network;
    private readonly BoxLog _log;
    private readonly Socket _socket;
    private readonly Task<int> _bwrapExit;
    private readonly int _bwrapPid;
    private readonly TaskCompletionSource<BoxExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _boxPidFd;
    private long _oomKills;

    internal BubblewrapBox(BoxSpec spec, InitClient client, int bwrapPid, int boxPid, int boxPidFd, Task<int> bwrapExit,
        Cgroup cgroup, SlirpNetwork? network, BoxLog log, Socket socket)
        : base(spec)
    {
        Client = client;
        _bwrapPid = bwrapPid;
        Pid = boxPid;
        _boxPidFd = boxPidFd;
        _bwrapExit = bwrapExit;
        _cgroup = cgroup;
        _network = network;
        _log = log;
        _socket = socket;
        _ = bwrapExit.ContinueWith(_ => TearDown(stopped: false), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public override InitClient Client { get; }

    /// <inheritdoc />
    public override int Pid { get; }

    /// <summary>Host pid of the bwrap process.</summary>
    public int BwrapPid => _bwrapPid;

    /// <summary>The box's cgroup.</summary>
    public Cgroup Cgroup => _cgroup;

    /// <summary>The last output of bwrap, init and slirp4netns.</summary>
    public string LogTail => _log.Tail;

    /// <inheritdoc />
    public override Task<BoxExit> Exited => _exited.Task;

    /// <inheritdoc />
    public override long OomKillCount => _cgroup.IsRemoved ? Interlocked.Read(ref _oomKills) : _cgroup.OomKillCount;

    /// <inheritdoc />
    public override long MemoryUsageBytes => _cgroup.IsRemoved ? 0 : _cgroup.MemoryUsageBytes;

    /// <inheritdoc />
    protected override async Task TearDownAsync(bool stopped)
    {
        Exception? failure = null;
        Interlocked.Exchange(ref _oomKills, _cgroup.OomKillCount);
        // A pidfd names the box's PID 1 even if its number were reused; killing it ends the pid namespace.
        if (_boxPidFd >= 0)
            PidfdKill(_boxPidFd);
        try
        {
            await _cgroup.KillAndRemoveAsync(pid =>
            {
                if (pid != _bwrapPid)
                    ProcessWatcher.TryReap(pid);
            }).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            failure = e;
        }
        await Client.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        var code = await _bwrapExit.ConfigureAwait(false);
        await ProcessWatcher.WaitAsync(Pid, Interlocked.Exchange(ref _boxPidFd, -1), reap: true).ConfigureAwait(false);
        _network?.Dispose();
        await Task.WhenAny(_log.Completion, Task.Delay(200)).ConfigureAwait(false);
        _log.Dispose();
        _exited.TrySetResult(new BoxExit(code, Interlocked.Read(ref _oomKills), stopped));
        if (failure is not null)
            throw new BoxException($"box {Id}: {failure.Message}", failure);
    }

    private static void PidfdKill(int pidfd) => Interop.Libc.pidfd_send_signal(pidfd, Interop.Libc.SIGKILL);
}
