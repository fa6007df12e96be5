using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>
/// The passthrough backing ids of one session. The kernel attaches one backing file to a FUSE inode while any
/// passthrough open of it lives and refuses a different one meanwhile, so ids are kept per node id and shared by
/// concurrent opens of the same host inode; the last RELEASE closes the id (FUSE_DEV_IOC_BACKING_CLOSE).
/// </summary>
internal sealed unsafe class FuseBackingTable
{
    private readonly object _lock = new();
    private readonly Dictionary<ulong, Entry> _byNode = new();
    private readonly Dictionary<(ulong NodeId, ulong Fh), int> _opens = new();
    private volatile int _live;

    /// <summary>Registers (or reuses) a backing id for an open of <paramref name="nodeId"/>; false means "open without passthrough".</summary>
    public bool TryAcquire(FuseSession session, ulong nodeId, ulong fh, SafeFileHandle file, out int backingId)
    {
        backingId = 0;
        if (!FileIdentity.TryGet(file, out var identity))
        {
            session.Log($"passthrough: cannot identify backing fd {file.DangerousGetHandle()} of node {nodeId}; opening without passthrough");
            return false;
        }
        lock (_lock)
        {
            if (_byNode.TryGetValue(nodeId, out var entry))
            {
                if (entry.Identity != identity)
                {
                    session.Log($"passthrough: node {nodeId} is already backed by another host file; opening without passthrough");
                    return false;
                }
                entry.Refs++;
            }
            else
            {
                var map = new FuseBackingMap { Fd = (int)file.DangerousGetHandle() };
                int id = Interop.Libc.ioctl(session.Device, FuseWire.IocBackingOpen, &map);
                if (id < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    session.Log($"ioctl(FUSE_DEV_IOC_BACKING_OPEN, fd={map.Fd}) for node {nodeId} failed: {(Errno)errno}; opening without passthrough");
                    return false;
                }
                entry = new Entry { Id = id, Refs = 1, Identity = identity };
                _byNode[nodeId] = entry;
            }
            _opens[(nodeId, fh)] = _opens.GetValueOrDefault((nodeId, fh)) + 1;
            _live++;
            backingId = entry.Id;
            return true;
        }
    }

    /// <summary>Drops one passthrough open of (<paramref name="nodeId"/>, <paramref name="fh"/>), if it was one.</summary>
    public void Release(FuseSession session, ulong nodeId, ulong fh)
    {
        if (_live == 0)
            return;
        lock (_lock)
        {
            if (!_opens.TryGetValue((nodeId, fh), out int count))
                return;
            if (count == 1)
                _opens.Remove((nodeId, fh));
            else
                _opens[(nodeId, fh)] = count - 1;
            _live--;
            var entry = _byNode[nodeId];
            if (--entry.Refs > 0)
                return;
            _byNode.Remove(nodeId);
            int id = entry.Id;
            try
            {
                if (Interop.Libc.ioctl(session.Device, FuseWire.IocBackingClose, &id) < 0)
                    session.Log($"ioctl(FUSE_DEV_IOC_BACKING_CLOSE, {id}) for node {nodeId} failed: {(Errno)Marshal.GetLastPInvokeError()}");
            }
            catch (ObjectDisposedException)
            {
                // The connection is gone and took its backing ids with it.
            }
        }
    }

    /// <summary>Forgets everything; the kernel dropped the ids with the connection.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _byNode.Clear();
            _opens.Clear();
            _live = 0;
        }
    }

    /// <summary>Number of nodes with a registered backing file (tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _byNode.Count;
        }
    }

    private sealed class Entry
    {
        public int Id;
        public int Refs;
        public (long MountId, long Ino) Identity;
    }
}
