using System.Net.Sockets;
using System.Text;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// The stdout/stderr of bwrap, init and slirp4netns of one box: a socket read asynchronously
/// (epoll, no thread per box) keeping the last few KiB, so a failed start can say why and a
/// chatty init can never block on a full pipe.
/// </summary>
internal sealed class BoxLog : IDisposable
{
    private const int Keep = 8 * 1024;
    private readonly Socket _socket;
    private readonly StringBuilder _tail = new();
    private readonly Task _reader;

    public BoxLog(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Completes when every writer has closed its end.</summary>
    public Task Completion => _reader;

    /// <summary>The last bytes written, as text.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
                return _tail.ToString().Trim();
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return;
                lock (_tail)
                {
                    _tail.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    if (_tail.Length > Keep)
                        _tail.Remove(0, _tail.Length - Keep);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
