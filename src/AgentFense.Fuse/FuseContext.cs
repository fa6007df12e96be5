using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

/// <summary>
/// Who asked and about what: the fields of fuse_in_header for one request, passed to every handler.
/// Valid only for the duration of the handler call.
/// </summary>
public readonly struct FuseContext
{
    private readonly FuseWorker? _worker;

    internal FuseContext(FuseSession session, in FuseInHeader header, FuseWorker? worker)
    {
        Session = session;
        Opcode = header.Opcode;
        Unique = header.Unique;
        NodeId = header.NodeId;
        Uid = header.Uid;
        Gid = header.Gid;
        Pid = header.Pid;
        _worker = worker;
    }

    /// <summary>The mount this request came from (for notifications and connection info).</summary>
    public FuseSession Session { get; }

    /// <summary>The request's opcode.</summary>
    public FuseOpcode Opcode { get; }

    /// <summary>The kernel's id of the request.</summary>
    public ulong Unique { get; }

    /// <summary>The node the request is about: the parent directory for name operations, else the node itself.</summary>
    public ulong NodeId { get; }

    /// <summary>Caller's fsuid (in the mount's user namespace).</summary>
    public uint Uid { get; }

    /// <summary>Caller's fsgid.</summary>
    public uint Gid { get; }

    /// <summary>Caller's thread group id; 0 for requests the kernel makes on its own (writeback, release).</summary>
    public uint Pid { get; }

    /// <summary>
    /// True once the kernel sent FUSE_INTERRUPT for this request (the caller got a signal). A long handler may
    /// poll it and return <see cref="Errno.EINTR"/>; ignoring it is also correct.
    /// </summary>
    public bool IsInterrupted => _worker is not null && _worker.IsInterrupted(Session, Unique);
}
