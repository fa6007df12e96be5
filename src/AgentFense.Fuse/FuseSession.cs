// Overview
//
// Constraints
// - One /dev/fuse descriptor per mount. A read(2) returns exactly one whole request and needs a buffer of at
//   least max_write + headers (1 MiB + 80 bytes here); a write(2) must carry one whole reply or notification.
// - Hundreds of mounts must not mean thousands of threads, and the request path must not allocate.
// - The kernel may have many requests of one mount outstanding at once (ASYNC_READ, PARALLEL_DIROPS), and may
//   interrupt any of them (FUSE_INTERRUPT) or abort the whole connection (umount, daemon death -> ENODEV).
//
// Scheme
// - Every session's descriptor is non-blocking and registered in the FuseServer's single epoll set with
//   EPOLLONESHOT. A fixed pool of worker threads loops on epoll_wait(1 event). The worker that wins an event
//   reads one request into its own pinned 1 MiB buffer, re-arms the descriptor at once (so another worker can
//   take the next request of the same mount while this one is being handled), dispatches it, and writes the
//   reply from its own pinned reply buffer with one write(2). EAGAIN (another worker raced us) just re-arms.
// - Replies that carry data (READ, READDIR, READLINK, xattrs) are produced in place: the handler fills the span
//   right after the reply header, so header and data leave in one contiguous write(2) without a copy.
// - FUSE_INTERRUPT is matched against the workers' (session, unique) slots; a hit flags the request
//   (FuseContext.IsInterrupted), a miss answers EAGAIN so the kernel re-sends it once the request is read.
// - ENODEV from read(2) means the connection is gone: the session leaves the epoll set, calls Destroy once,
//   closes its descriptor and signals completion. Dispose unmounts (umount2, then MNT_DETACH when busy, or
//   fusermount3 -u for non-root mounts) and waits for that; a session that does not end is closed by force.
// - Notifications are written from any thread with a stack buffer; /dev/fuse writes are atomic per call.

using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>
/// One mounted filesystem served by a <see cref="FuseServer"/>: the /dev/fuse connection, INIT negotiation,
/// dispatch of requests to the <see cref="IFuseFileSystem"/>, passthrough registration and notifications.
/// Dispose unmounts. All public members are thread-safe.
/// </summary>
public sealed unsafe partial class FuseSession : IDisposable
{
    private readonly FuseServer _server;
    private readonly IFuseFileSystem _fs;
    private readonly SafeFileHandle _device;
    private readonly int _fd;
    private readonly bool _viaFusermount;
    private readonly ManualResetEventSlim _initDone = new(false);
    private readonly ManualResetEventSlim _ended = new(false);
    private ulong _id;
    private int _endedFlag;
    private int _destroyed;
    private int _disposed;
    private int _unmounted;
    private int _counted;
    private volatile FuseConnectionInfo? _connection;

    internal FuseSession(FuseServer server, string mountPoint, IFuseFileSystem fileSystem, MountOptions options, SafeFileHandle device, bool viaFusermount)
    {
        _server = server;
        MountPoint = mountPoint;
        _fs = fileSystem;
        Options = options;
        _device = device;
        _fd = (int)device.DangerousGetHandle();
        _viaFusermount = viaFusermount;
    }

    /// <summary>The absolute mount point.</summary>
    public string MountPoint { get; }

    /// <summary>The options this mount was made with.</summary>
    public MountOptions Options { get; }

    /// <summary>What INIT negotiated; null until the kernel's INIT has been answered.</summary>
    public FuseConnectionInfo? Connection => _connection;

    /// <summary>True while the kernel connection is alive (mounted and served).</summary>
    public bool IsConnected => Volatile.Read(ref _endedFlag) == 0 && _connection is not null;

    /// <summary>The /dev/fuse descriptor number (diagnostics and tests).</summary>
    internal int DeviceFd => _fd;

    internal SafeFileHandle Device => _device;

    internal void Start()
    {
        _server.Register(this, _device, id => _id = id);
        Volatile.Write(ref _counted, 1);
        Diagnostics.FuseMetrics.MountOpened();
    }

    /// <summary>Waits until the session has ended (unmounted or aborted); true if it did within <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _ended.Wait(timeout);

    internal void WaitForInit(TimeSpan timeout)
    {
        if (!_initDone.Wait(timeout))
            throw new TimeoutException($"FUSE INIT not received on {MountPoint} within {timeout}");
        if (_connection is null)
            throw new IOException($"FUSE INIT failed on {MountPoint} (protocol version not supported)");
    }

    /// <summary>Reads and serves one request; called by a worker that won this session's epoll event.</summary>
    internal void ServeOne(FuseWorker worker)
    {
        nint n;
        try
        {
            n = Interop.Libc.read(_device, worker.Request, FuseWorker.RequestCapacity);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        if (n <= 0)
        {
            int errno = n == 0 ? (int)Errno.ENODEV : Marshal.GetLastPInvokeError();
            if (errno is (int)Errno.EAGAIN or (int)Errno.EINTR or (int)Errno.ENOENT)
            {
                // EAGAIN: another worker took the request; ENOENT: the kernel dropped an interrupted one.
                Rearm();
                return;
            }
            if (errno != (int)Errno.ENODEV)
                Log($"read(/dev/fuse fd={_fd}, {FuseWorker.RequestCapacity}) failed: {(Errno)errno}; ending the session");
            OnDisconnected();
            return;
        }
        Rearm();
        Dispatch(worker, new ReadOnlySpan<byte>(worker.Request, (int)n));
    }

    private void Rearm()
    {
        // Hold a reference so a concurrent forced close cannot hand the fd number to another file meanwhile.
        bool added = false;
        try
        {
            _device.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        int errno;
        try
        {
            errno = _server.Rearm(_id, _fd);
        }
        finally
        {
            if (added)
                _device.DangerousRelease();
        }
        if (errno != 0 && Volatile.Read(ref _endedFlag) == 0)
            Log($"epoll_ctl(EPOLL_CTL_MOD, fd={_fd}) failed: {(Errno)errno}");
    }

    /// <summary>Writes header + <paramref name="payloadLength"/> bytes already placed after it in the reply buffer.</summary>
    private Errno Send(FuseWorker worker, ulong unique, Errno error, int payloadLength)
    {
        int length = FuseWire.OutHeaderSize + payloadLength;
        FuseWire.WriteReplyHeader(worker.ReplySpan, unique, error, length);
        return WriteDevice(worker.Reply, length);
    }

    private Errno SendError(FuseWorker worker, ulong unique, Errno error) => Send(worker, unique, error, 0);

    private Errno SendStruct<T>(FuseWorker worker, ulong unique, in T value) where T : unmanaged =>
        Send(worker, unique, Errno.Success, FuseWire.Write(Payload(worker), in value));

    private static Span<byte> Payload(FuseWorker worker) => worker.ReplySpan[FuseWire.OutHeaderSize..];

    private Errno WriteDevice(byte* buffer, int length)
    {
        nint written;
        try
        {
            written = Interop.Libc.write(_device, buffer, (nuint)length);
        }
        catch (ObjectDisposedException)
        {
            return Errno.ENODEV;
        }
        if (written >= 0)
            return Errno.Success;
        var errno = FuseErrors.LastErrno();
        // ENOENT: the request was interrupted and already answered by the kernel; ENODEV: connection gone.
        if (errno is not (Errno.ENOENT or Errno.ENODEV))
            Log($"write(/dev/fuse fd={_fd}, {length}) failed: {errno}");
        return errno;
    }

    private void CallDestroyOnce()
    {
        // Destroy pairs with Init: a session that never finished INIT has nothing to tear down.
        if (Interlocked.Exchange(ref _destroyed, 1) != 0 || _connection is null)
            return;
        try
        {
            _fs.Destroy();
        }
        catch (Exception ex)
        {
            Log($"Destroy threw: {ex}");
        }
    }

    /// <summary>The connection is gone: leave the pool, tell the filesystem, close the device, signal waiters.</summary>
    private void OnDisconnected()
    {
        if (Interlocked.Exchange(ref _endedFlag, 1) != 0)
            return;
        _server.Unregister(_id, _fd);
        if (Interlocked.Exchange(ref _counted, 0) != 0)
            Diagnostics.FuseMetrics.MountClosed();
        CallDestroyOnce();
        _backing.Clear();
        _device.Dispose();
        _initDone.Set();
        _ended.Set();
    }

    /// <summary>Unmounts now (umount2, lazily if busy; fusermount3 -u for non-root mounts) without waiting for the session to end.</summary>
    public void Unmount()
    {
        if (Interlocked.Exchange(ref _unmounted, 1) != 0)
            return;
        FuseMounter.Unmount(MountPoint, _viaFusermount, Log);
    }

    /// <summary>Unmounts, waits up to 5 s for the kernel to end the connection, then closes the device by force.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Unmount();
        if (!_ended.Wait(TimeSpan.FromSeconds(5)))
        {
            Log($"session for {MountPoint} did not end after unmount; closing /dev/fuse fd={_fd}");
            OnDisconnected();
        }
    }

    /// <summary>Closes the device without unmounting, as a crashed daemon would (tests of stale-mount cleanup).</summary>
    internal void Abandon()
    {
        Interlocked.Exchange(ref _disposed, 1);
        Interlocked.Exchange(ref _unmounted, 1);
        OnDisconnected();
    }

    internal void Log(string message) => Options.Log?.Invoke($"fuse[{MountPoint}]: {message}");
}
