using AgentFense.Init.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>Init's (non-blocking) read end of one output stream of a job, and what was kept of it.</summary>
internal sealed class OutputPipe
{
    private byte[] _kept = [];

    public OutputPipe(OutputStream stream, SafeFileHandle fd, long limit)
    {
        Stream = stream;
        Fd = fd;
        Limit = limit;
    }

    public OutputStream Stream { get; }

    /// <summary>The read end; null once closed (end of file, or given up after the process exited).</summary>
    public SafeFileHandle? Fd { get; private set; }

    public bool IsOpen => Fd is not null;

    public long Limit { get; }

    /// <summary>Bytes delivered (streamed or kept) so far.</summary>
    public long Delivered { get; set; }

    /// <summary>Bytes past the limit were read and dropped.</summary>
    public bool Truncated { get; set; }

    /// <summary>Past the limit: reads go on (so the child never blocks) but need no credit.</summary>
    public bool Discarding => Delivered >= Limit;

    /// <summary>Kept bytes of a background process.</summary>
    public ReadOnlySpan<byte> Kept => _kept.AsSpan(0, (int)Math.Min(Delivered, _kept.Length));

    /// <summary>Keeps what fits under the limit; returns the bytes taken.</summary>
    public int Keep(ReadOnlySpan<byte> data)
    {
        var take = (int)Math.Min(data.Length, Limit - Delivered);
        if (take < data.Length)
            Truncated = true;
        if (take <= 0)
            return 0;
        var needed = Delivered + take;
        if (needed > _kept.Length)
            Array.Resize(ref _kept, (int)Math.Min(Math.Max(needed, Math.Max(4096, _kept.Length * 2L)), Math.Min(Limit, Array.MaxLength)));
        data[..take].CopyTo(_kept.AsSpan((int)Delivered));
        Delivered += take;
        return take;
    }

    public void Close()
    {
        Fd?.Dispose();
        Fd = null;
    }
}
