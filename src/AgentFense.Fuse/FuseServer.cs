using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>
/// The shared pool that serves every mount: one epoll set holding each session's non-blocking /dev/fuse
/// descriptor (EPOLLONESHOT) and a small fixed number of worker threads. Hundreds of mounts cost one epoll
/// registration each, not threads. See <see cref="FuseSession"/> for the serving scheme.
/// </summary>
public sealed unsafe class FuseServer : IDisposable
{
    private static readonly Lazy<FuseServer> s_shared = new(() => new FuseServer());

    private readonly SafeFileHandle _epoll;
    private readonly SafeFileHandle _wake;
    private readonly FuseWorker[] _workers;
    private readonly ConcurrentDictionary<ulong, FuseSession> _sessions = new();
    private long _nextId;
    private int _disposed;

    /// <summary>Creates a pool with <paramref name="workerCount"/> threads (default: 2 per core, 4..16).</summary>
    public FuseServer(int workerCount = 0)
    {
        if (workerCount <= 0)
            workerCount = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);
        int epfd = Interop.Libc.epoll_create1(Interop.Libc.EPOLL_CLOEXEC);
        if (epfd < 0)
            throw FuseErrors.IOException("epoll_create1(EPOLL_CLOEXEC)", Marshal.GetLastPInvokeError());
        _epoll = new SafeFileHandle(epfd, ownsHandle: true);
        int evfd = Interop.Libc.eventfd(0, Interop.Libc.EFD_CLOEXEC | Interop.Libc.EFD_NONBLOCK);
        if (evfd < 0)
            throw FuseErrors.IOException("eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK)", Marshal.GetLastPInvokeError());
        _wake = new SafeFileHandle(evfd, ownsHandle: true);
        // Level-triggered and never re-armed: once signalled, every worker sees it and exits. Data 0 is reserved for it.
        Control(Interop.Libc.EPOLL_CTL_ADD, evfd, Interop.Libc.EPOLLIN, 0);

        _workers = new FuseWorker[workerCount];
        for (int i = 0; i < workerCount; i++)
            _workers[i] = new FuseWorker(this, i);
        foreach (var worker in _workers)
            worker.Thread.Start();
    }

    /// <summary>The process-wide pool, created on first use and never disposed.</summary>
    public static FuseServer Shared => s_shared.Value;

    /// <summary>Receives pool-level diagnostics (worker failures); per-mount ones go to <see cref="MountOptions.Log"/>.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Number of worker threads.</summary>
    public int WorkerCount => _workers.Length;

    /// <summary>Number of mounts currently served.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// Mounts <paramref name="fileSystem"/> at <paramref name="mountPoint"/> (an existing directory) and returns
    /// once the kernel's INIT has been answered. Dispose the session to unmount.
    /// </summary>
    /// <exception cref="IOException">The mount failed; the message names the call and errno.</exception>
    /// <exception cref="TimeoutException">The kernel did not send INIT within <see cref="MountOptions.InitTimeout"/>.</exception>
    public FuseSession Mount(string mountPoint, IFuseFileSystem fileSystem, MountOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= new MountOptions();
        mountPoint = Path.GetFullPath(mountPoint).TrimEnd('/');
        if (mountPoint.Length == 0)
            throw new ArgumentException("cannot mount on /", nameof(mountPoint));

        var method = options.Method;
        if (method == MountMethod.Auto)
            method = Interop.Libc.geteuid() == 0 ? MountMethod.Kernel : MountMethod.Fusermount;

        var session = method == MountMethod.Kernel
            ? FuseMounter.MountKernel(this, mountPoint, fileSystem, options)
            : FuseMounter.MountFusermount(this, mountPoint, fileSystem, options);
        try
        {
            session.WaitForInit(options.InitTimeout);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return session;
    }

    /// <summary>
    /// Adds a session to the epoll set. <paramref name="assignId"/> runs before the descriptor is added: the first
    /// event may be served (and re-armed with the id) before this method returns.
    /// </summary>
    internal void Register(FuseSession session, SafeFileHandle device, Action<ulong> assignId)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextId);
        assignId(id);
        _sessions[id] = session;
        bool added = false;
        device.DangerousAddRef(ref added);
        try
        {
            Control(Interop.Libc.EPOLL_CTL_ADD, (int)device.DangerousGetHandle(), Interop.Libc.EPOLLIN | Interop.Libc.EPOLLONESHOT, id);
        }
        catch
        {
            _sessions.TryRemove(id, out _);
            throw;
        }
        finally
        {
            if (added)
                device.DangerousRelease();
        }
    }

    /// <summary>Re-arms a session after its worker has read one request, so the next may be read in parallel.</summary>
    internal int Rearm(ulong id, int fd)
    {
        byte* ev = stackalloc byte[16];
        Interop.Libc.EpollEventWrite(ev, Interop.Libc.EPOLLIN | Interop.Libc.EPOLLONESHOT, id);
        return Interop.Libc.epoll_ctl(_epoll, Interop.Libc.EPOLL_CTL_MOD, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    internal void Unregister(ulong id, int fd)
    {
        byte* ev = stackalloc byte[16];
        Interop.Libc.EpollEventWrite(ev, 0, id);
        // ENOENT/EBADF: already gone with its descriptor; nothing to undo.
        _ = Interop.Libc.epoll_ctl(_epoll, Interop.Libc.EPOLL_CTL_DEL, fd, ev);
        _sessions.TryRemove(id, out _);
    }

    /// <summary>Finds the worker running (session, unique) and flags it interrupted.</summary>
    internal bool TryInterrupt(FuseSession session, ulong unique)
    {
        foreach (var worker in _workers)
        {
            if (worker.TryInterrupt(session, unique))
                return true;
        }
        return false;
    }

    internal void RunWorker(FuseWorker worker)
    {
        byte* ev = stackalloc byte[16];
        while (true)
        {
            int n = Interop.Libc.epoll_wait(_epoll, ev, 1, -1);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == (int)Errno.EINTR)
                    continue;
                if (_disposed == 0)
                    Log?.Invoke($"fuse: epoll_wait failed: {(Errno)errno}; worker {worker.Thread.Name} stops");
                return;
            }
            if (n == 0)
                continue;
            ulong id = *(ulong*)(ev + Interop.Libc.EpollDataOffset);
            if (id == 0)
            {
                if (_disposed == 0)
                    Log?.Invoke($"fuse: wake event without Dispose; worker {worker.Thread.Name} stops");
                return;
            }
            if (!_sessions.TryGetValue(id, out var session))
                continue;
            try
            {
                session.ServeOne(worker);
            }
            catch (Exception ex)
            {
                // Handler exceptions are caught in dispatch; this is a bug in the session itself. Keep serving.
                Log?.Invoke($"fuse: worker {worker.Thread.Name}: {ex}");
            }
        }
    }

    private void Control(int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        Interop.Libc.EpollEventWrite(ev, events, data);
        if (Interop.Libc.epoll_ctl(_epoll, op, fd, ev) != 0)
            throw FuseErrors.IOException($"epoll_ctl(op={op}, fd={fd}, events=0x{events:x})", Marshal.GetLastPInvokeError());
    }

    /// <summary>Unmounts every session still served, stops the workers and frees their buffers.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var session in _sessions.Values)
            session.Dispose();
        ulong one = 1;
        _ = Interop.Libc.write(_wake, (byte*)&one, sizeof(ulong));
        foreach (var worker in _workers)
            worker.Thread.Join();
        foreach (var worker in _workers)
            worker.Dispose();
        _wake.Dispose();
        _epoll.Dispose();
    }
}
