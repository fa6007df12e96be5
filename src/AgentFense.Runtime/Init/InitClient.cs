using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>
/// The engine's side of the init protocol over one connected stream socket: commands, stdin,
/// output streams, background processes and sessions, all multiplexed by request id. Thread-safe:
/// any number of callers may run commands at once. One receive loop routes frames to their
/// requests; sends are serialized by a lock and built in pooled buffers.
/// </summary>
public sealed partial class InitClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<Hello> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _receiveLoop;
    private int _nextId;
    private volatile Exception? _failure;

    /// <summary>Starts receiving on a socket connected to init; see <see cref="ConnectAsync"/> to also wait for init to be ready.</summary>
    public InitClient(Socket socket)
    {
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Completes with init's <see cref="Hello"/> once it is ready.</summary>
    public Task<Hello> Ready => _hello.Task;

    /// <summary>Wraps <paramref name="socket"/> and waits for init's Hello.</summary>
    public static async Task<InitClient> ConnectAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        var client = new InitClient(socket);
        try
        {
            var hello = await client.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (hello.Version != InitProtocol.Version)
                throw new InitException($"init speaks protocol {hello.Version}, this engine {InitProtocol.Version}");
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a command to its end and collects its output.</summary>
    /// <exception cref="InitException">Init could not start it (bad working directory, program not found, ...).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the command's process group was killed first.</exception>
    public async Task<ExecResult> ExecAsync(ExecOptions options, CancellationToken cancellationToken = default)
    {
        if (options.StreamStdin)
            throw new ArgumentException("ExecAsync takes stdin as bytes; use StartAsync to stream it", nameof(options));
        await using var command = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        return await command.CollectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command and yields its output chunks as they come; the last item carries the exit status.</summary>
    public async IAsyncEnumerable<OutputChunk> ExecStreamAsync(ExecOptions options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in command.ReadOutputAsync(cancellationToken).ConfigureAwait(false))
            yield return chunk;
    }

    /// <summary>Starts a command and returns once it runs: read its output, write its stdin, signal or cancel it.</summary>
    public async Task<CommandExecution> StartAsync(ExecOptions options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = options.ToRequest(background: false);
        var pending = Register(RequestKind.Command);
        var start = new CommandStart(this, CommandStart.TextOf(options), 0);
        int pid;
        try
        {
            await SendFrameAsync(pending, request).ConfigureAwait(false);
            var first = await ReadFrameAsync(pending).ConfigureAwait(false);
            first.Expect(MessageType.Started);
            pid = Started.Read(first.Span).Pid;
            first.Return();
        }
        catch (Exception e)
        {
            start.Fail(e);
            throw;
        }
        return new CommandExecution(this, pending, pid, request.InitialCredit, start);
    }

    /// <summary>
    /// Raised once per command (exec or session command) when its exit is known, or when it could not start;
    /// on the receiving thread, so handlers must be short and must not throw.
    /// </summary>
    public event Action<CommandRecord>? CommandEnded;

    internal void OnCommandEnded(CommandRecord record)
    {
        try
        {
            CommandEnded?.Invoke(record);
        }
        catch (Exception)
        {
            // An observer's failure must not break the command's caller; observers report their own errors.
        }
    }

    /// <summary>Closes the socket: init kills everything it runs and exits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closing.IsCancellationRequested)
            return;
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop records its own failure; disposal never throws.
        }
        _closing.Dispose();
    }

    internal PendingRequest Register(RequestKind kind)
    {
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);
        if (_failure is { } failure)
            throw new InitException("the connection to init is gone", failure);
        while (true)
        {
            var id = (uint)Interlocked.Increment(ref _nextId);
            if (id == 0)
                continue;
            var pending = new PendingRequest(id, kind);
            if (_pending.TryAdd(id, pending))
                return pending;
        }
    }

    internal static async ValueTask<InboundFrame> ReadFrameAsync(PendingRequest pending, CancellationToken cancellationToken = default)
    {
        try
        {
            return await pending.Frames.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new InitException("the connection to init is gone", e.InnerException);
        }
    }

    internal ValueTask SendFrameAsync<T>(PendingRequest pending, in T message)
        where T : IWireMessage<T>
    {
        var writer = new WireWriter(256);
        writer.WriteFrame(pending.Id, message);
        return SendAsync(writer, pending);
    }

    internal ValueTask SendEmptyAsync(MessageType type, uint id)
    {
        var writer = new WireWriter(64);
        writer.WriteEmptyFrame(type, id);
        return SendAsync(writer, null);
    }

    internal ValueTask SendCreditAsync(uint id, uint bytes)
    {
        var writer = new WireWriter(64);
        writer.WriteFrame(id, new CreditGrant(bytes));
        return SendAsync(writer, null);
    }

    /// <summary>Sends what <paramref name="writer"/> holds, then disposes it; a failed send fails <paramref name="pending"/>.</summary>
    internal async ValueTask SendAsync(WireWriter writer, PendingRequest? pending)
    {
        try
        {
            await _sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                var data = writer.WrittenMemory;
                while (!data.IsEmpty)
                {
                    var sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                    data = data[sent..];
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (pending is not null && _pending.TryRemove(pending.Id, out _))
                pending.Complete(new InitException("sending to init failed", e));
            throw new InitException("sending to init failed", e);
        }
        finally
        {
            writer.Dispose();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        var filled = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    buffer = Grow(buffer, buffer.Length * 2, filled);
                var n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _closing.Token).ConfigureAwait(false);
                if (n == 0)
                    break;
                filled += n;
                var consumed = 0;
                while (FrameHeader.TryRead(buffer.AsSpan(consumed, filled - consumed), out var header))
                {
                    var size = InitProtocol.HeaderSize + header.PayloadLength;
                    if (filled - consumed < size)
                    {
                        if (size > buffer.Length)
                            buffer = Grow(buffer, size, filled);
                        break;
                    }
                    Route(header, buffer.AsSpan(consumed + InitProtocol.HeaderSize, header.PayloadLength));
                    consumed += size;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            var error = new InitException("the connection to init closed", failure);
            _failure = error;
            _hello.TrySetException(error);
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var pending))
                    pending.Complete(error);
            }
        }
    }

    private static byte[] Grow(byte[] buffer, int size, int filled)
    {
        var next = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, filled).CopyTo(next);
        ArrayPool<byte>.Shared.Return(buffer);
        return next;
    }

    private void Route(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == MessageType.Hello)
        {
            _hello.TrySetResult(Hello.Read(payload));
            return;
        }
        if (!_pending.TryGetValue(header.RequestId, out var pending))
            return; // a late frame for a request its caller gave up on
        if (header.Type == MessageType.Credit)
        {
            pending.AddStdinCredit(CreditGrant.Read(payload).Bytes);
            return;
        }
        pending.Frames.Writer.TryWrite(new InboundFrame(header.Type, payload));
        if (pending.IsFinal(header.Type) && _pending.TryRemove(header.RequestId, out _))
            pending.Complete();
    }
}
