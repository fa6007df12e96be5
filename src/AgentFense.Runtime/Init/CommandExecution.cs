using System.Buffers;
using System.Runtime.CompilerServices;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>
/// A running command (an exec or a session command): its output as it comes, its stdin, signals,
/// cancellation, and its exit. Output is read once, by one consumer; consuming it grants init more
/// credit, so a consumer that stops reading stops the command at its next full pipe.
/// </summary>
public sealed class CommandExecution : IAsyncDisposable
{
    private readonly InitClient _client;
    private readonly PendingRequest _pending;
    private readonly uint _window;
    private readonly TaskCompletionSource<ExitStatus> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CommandStart _start;
    private long _ungranted;
    private int _reading;
    private bool _cancelSent;

    internal CommandExecution(InitClient client, PendingRequest pending, int pid, uint window, CommandStart start)
    {
        _client = client;
        _pending = pending;
        _window = Math.Max(window, 1);
        Pid = pid;
        _start = start;
    }

    /// <summary>The request id naming this command on the wire.</summary>
    public uint Id => _pending.Id;

    /// <summary>The command's pid in init's pid namespace (0 for a session command, which runs inside the shell).</summary>
    public int Pid { get; }

    /// <summary>Completes with the exit status once the output was read to its end.</summary>
    public Task<ExitStatus> Exit => _exit.Task;

    /// <summary>
    /// Yields output chunks in order (each stream in its own order), then one item with the exit
    /// status. Cancelling the token kills the command's process group; the enumeration then throws
    /// <see cref="OperationCanceledException"/> once init confirmed the kill.
    /// </summary>
    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
            throw new InvalidOperationException("the output is read by one consumer");
        await using var registration = cancellationToken.Register(() => _ = CancelQuietlyAsync()).ConfigureAwait(false);
        InboundFrame? previous = null;
        try
        {
            while (true)
            {
                if (previous is not null)
                {
                    // The consumer is done with the previous chunk: its bytes may be sent again.
                    await GrantAsync(previous.Length - 1).ConfigureAwait(false);
                    previous.Return();
                    previous = null;
                }
                var frame = await NextFrameAsync().ConfigureAwait(false);
                if (frame.Type == MessageType.Output)
                {
                    previous = frame;
                    var data = frame.Payload[1..];
                    yield return new OutputChunk((OutputStream)frame.Span[0], data);
                    continue;
                }
                if (frame.Type == MessageType.Error)
                {
                    var error = new InitException(ErrorReply.Read(frame.Span));
                    frame.Return();
                    _exit.TrySetException(error);
                    _start.Report(_exit.Task);
                    throw error;
                }
                frame.Expect(MessageType.Exit);
                var status = ExitStatus.Read(frame.Span);
                frame.Return();
                _exit.TrySetResult(status);
                // Reported before the caller sees the exit, so the command's span ends inside its caller's.
                _start.Report(_exit.Task);
                cancellationToken.ThrowIfCancellationRequested();
                yield return new OutputChunk(0, ReadOnlyMemory<byte>.Empty, status);
                yield break;
            }
        }
        finally
        {
            previous?.Return();
        }
    }

    /// <summary>Reads everything to the end: collected stdout, stderr and the exit.</summary>
    public async Task<ExecResult> CollectAsync(CancellationToken cancellationToken = default)
    {
        var stdout = new ArrayBufferWriter<byte>();
        var stderr = new ArrayBufferWriter<byte>();
        await foreach (var chunk in ReadOutputAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Exit is { } exit)
                return new ExecResult(exit, stdout.WrittenSpan.ToArray(), stderr.WrittenSpan.ToArray());
            (chunk.Stream == OutputStream.Stderr ? stderr : stdout).Write(chunk.Data.Span);
        }
        throw new InitException("the output ended without an exit status");
    }

    /// <summary>Reads (and drops) the output to the end and returns the exit status.</summary>
    public async Task<ExitStatus> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in ReadOutputAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Exit is { } exit)
                return exit;
        }
        throw new InitException("the output ended without an exit status");
    }

    /// <summary>Writes stdin bytes (for <see cref="ExecOptions.StreamStdin"/>), waiting while init's window is full.</summary>
    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            var take = await _pending.TakeStdinCreditAsync(Math.Min(data.Length, InitProtocol.MaxChunk), cancellationToken).ConfigureAwait(false);
            var writer = new WireWriter(take + InitProtocol.HeaderSize);
            writer.WriteStdinFrame(Id, data.Span[..take]);
            await _client.SendAsync(writer, null).ConfigureAwait(false);
            data = data[take..];
        }
    }

    /// <summary>Ends stdin (end of file for the command; ^D on a PTY).</summary>
    public ValueTask CloseStdinAsync() => _client.SendEmptyAsync(MessageType.StdinClose, Id);

    /// <summary>Sends a signal to the command's process group (for a session command: its processes, not the shell).</summary>
    public ValueTask SignalAsync(int signal)
    {
        var writer = new WireWriter(64);
        writer.WriteFrame(Id, new SignalRequest(signal));
        return _client.SendAsync(writer, null);
    }

    /// <summary>Kills the command's process group and what it left behind; the exit reports it as cancelled.</summary>
    public ValueTask CancelAsync()
    {
        _cancelSent = true;
        return _client.SendEmptyAsync(MessageType.Cancel, Id);
    }

    /// <summary>Resizes the command's PTY.</summary>
    public ValueTask ResizeAsync(ushort columns, ushort rows)
    {
        var writer = new WireWriter(64);
        writer.WriteFrame(Id, new ResizeRequest(columns, rows));
        return _client.SendAsync(writer, null);
    }

    /// <summary>Kills the command if it still runs (its output was not read to the end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_exit.Task.IsCompleted || _cancelSent)
            return;
        await CancelQuietlyAsync().ConfigureAwait(false);
    }

    private async Task CancelQuietlyAsync()
    {
        try
        {
            if (!_exit.Task.IsCompleted)
                await CancelAsync().ConfigureAwait(false);
        }
        catch (InitException)
        {
            // The connection is gone, and init with it.
        }
    }

    private async ValueTask<InboundFrame> NextFrameAsync()
    {
        try
        {
            return await InitClient.ReadFrameAsync(_pending).ConfigureAwait(false);
        }
        catch (InitException e)
        {
            _exit.TrySetException(e);
            _start.Report(_exit.Task);
            throw;
        }
    }

    /// <summary>Credits consumed bytes back to init in batches of a quarter window.</summary>
    private ValueTask GrantAsync(int consumed)
    {
        _ungranted += consumed;
        if (_ungranted < _window / 4 || _exit.Task.IsCompleted)
            return ValueTask.CompletedTask;
        var grant = (uint)_ungranted;
        _ungranted = 0;
        return SendCreditQuietlyAsync(grant);
    }

    private async ValueTask SendCreditQuietlyAsync(uint grant)
    {
        try
        {
            await _client.SendCreditAsync(Id, grant).ConfigureAwait(false);
        }
        catch (InitException)
        {
            // The next read reports the lost connection.
        }
    }
}
