using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>Init's (non-blocking) write end of a child's stdin with the bytes waiting to be written.</summary>
internal sealed class StdinPipe
{
    private readonly Queue<byte[]> _pending = new();
    private int _offset;

    public StdinPipe(SafeFileHandle fd, bool isPty)
    {
        Fd = fd;
        IsPty = isPty;
    }

    public SafeFileHandle? Fd { get; private set; }

    public bool IsPty { get; }

    /// <summary>The engine sent StdinClose: close once the queue is written.</summary>
    public bool CloseRequested { get; set; }

    public bool HasPending => _pending.Count > 0;

    public void Enqueue(byte[] data)
    {
        if (data.Length > 0)
            _pending.Enqueue(data);
    }

    /// <summary>Writes what the pipe takes; returns bytes written (or dropped, on a broken pipe), which init credits back.</summary>
    public unsafe long Flush(out bool broken)
    {
        broken = false;
        long done = 0;
        while (Fd is not null && _pending.Count > 0)
        {
            var chunk = _pending.Peek();
            nint n;
            fixed (byte* p = &chunk[_offset])
                n = Interop.Libc.write(Fd, p, (nuint)(chunk.Length - _offset));
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EAGAIN)
                    return done;
                broken = true;
                return done + DropAll();
            }
            done += n;
            _offset += (int)n;
            if (_offset == chunk.Length)
            {
                _pending.Dequeue();
                _offset = 0;
            }
        }
        return done;
    }

    /// <summary>Drops everything queued (the reader went away); returns the bytes dropped.</summary>
    public long DropAll()
    {
        long dropped = 0;
        foreach (var chunk in _pending)
            dropped += chunk.Length;
        dropped -= _offset;
        _pending.Clear();
        _offset = 0;
        return dropped;
    }

    public void Close()
    {
        Fd?.Dispose();
        Fd = null;
    }
}
