using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>
/// One thread of the shared pool with its two pinned native buffers: a request buffer big enough for a 1 MiB
/// WRITE plus headers (the kernel refuses smaller reads), and a reply buffer for a 1 MiB READ plus the reply
/// header. The thread handles one request at a time, so the buffers are reused without any per-request
/// allocation; the (session, unique) it is running doubles as the in-flight table that
/// FUSE_INTERRUPT is matched against.
/// </summary>
internal sealed unsafe class FuseWorker : IDisposable
{
    /// <summary>fuse_in_header + fuse_write_in + max_write, rounded up to a page of slack.</summary>
    public const int RequestCapacity = MountOptions.MaxWriteLimit + 4096;

    /// <summary>fuse_out_header + a max_write-sized READ (max_pages * 4 KiB).</summary>
    public const int ReplyCapacity = MountOptions.MaxWriteLimit + 4096;

    private readonly FuseServer _server;
    private volatile FuseSession? _currentSession;
    private ulong _currentUnique;
    private volatile bool _interrupted;

    public FuseWorker(FuseServer server, int index)
    {
        _server = server;
        Request = (byte*)NativeMemory.AlignedAlloc(RequestCapacity, 4096);
        Reply = (byte*)NativeMemory.AlignedAlloc(ReplyCapacity, 4096);
        Thread = new Thread(Run) { IsBackground = true, Name = $"fuse-worker-{index}" };
    }

    public Thread Thread { get; }

    public byte* Request { get; private set; }

    public byte* Reply { get; private set; }

    public Span<byte> ReplySpan => new(Reply, ReplyCapacity);

    public void Begin(FuseSession session, ulong unique)
    {
        _interrupted = false;
        Volatile.Write(ref _currentUnique, unique);
        _currentSession = session;
    }

    public void End() => _currentSession = null;

    /// <summary>Marks the request as interrupted if this worker is running it.</summary>
    public bool TryInterrupt(FuseSession session, ulong unique)
    {
        if (!ReferenceEquals(_currentSession, session) || Volatile.Read(ref _currentUnique) != unique)
            return false;
        _interrupted = true;
        return true;
    }

    public bool IsInterrupted(FuseSession session, ulong unique) =>
        _interrupted && ReferenceEquals(_currentSession, session) && Volatile.Read(ref _currentUnique) == unique;

    private void Run() => _server.RunWorker(this);

    public void Dispose()
    {
        NativeMemory.AlignedFree(Request);
        NativeMemory.AlignedFree(Reply);
        Request = null;
        Reply = null;
    }
}
