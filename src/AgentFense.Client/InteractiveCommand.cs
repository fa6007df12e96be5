using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using AgentFense.Internal;
using Google.Protobuf;
using Grpc.Core;

namespace AgentFense;

/// <summary>
/// A running command of <see cref="SandboxClient.ExecInteractiveAsync"/>: write its stdin, close it, signal it,
/// and read its output (the last message carries the exit). Disposing ends the call (and the command).
/// </summary>
public sealed class InteractiveCommand : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<ExecInput, ExecOutput> _call;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    internal InteractiveCommand(AsyncDuplexStreamingCall<ExecInput, ExecOutput> call, CancellationToken cancellationToken)
    {
        _call = call;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Sends <paramref name="data"/> to the command's stdin.</summary>
    public Task WriteStdinAsync(ReadOnlyMemory<byte> data) => SendAsync(new ExecInput { Stdin = ByteString.CopyFrom(data.Span) });

    /// <summary>Ends the command's stdin (it reads end of file).</summary>
    public Task CloseStdinAsync() => SendAsync(new ExecInput { CloseStdin = true });

    /// <summary>Sends signal <paramref name="signal"/> to the command's process group.</summary>
    public Task SignalAsync(int signal) => SendAsync(new ExecInput { Signal = signal });

    /// <summary>The command's output as it comes; the last message carries <c>Exit</c>.</summary>
    public async IAsyncEnumerable<ExecOutput> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await _call.ResponseStream.MoveNext(linked.Token).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw ErrorMapper.Map(e, linked.Token);
            }
            if (!more)
                yield break;
            yield return _call.ResponseStream.Current;
        }
    }

    internal async Task SendAsync(ExecInput input)
    {
        await _writeGate.WaitAsync(_cancellationToken).ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(input, _cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(await CallStatusAsync(e).ConfigureAwait(false), _cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            // Writing after the server ended the call: its status says why.
            throw ErrorMapper.Map(await CallStatusAsync(new RpcException(new Status(StatusCode.Cancelled, e.Message))).ConfigureAwait(false), _cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The server's own error when it ended the call (a write only sees the stream closing), else <paramref name="fallback"/>.</summary>
    private async Task<RpcException> CallStatusAsync(RpcException fallback)
    {
        if (_cancellationToken.IsCancellationRequested)
            return fallback;
        try
        {
            await _call.ResponseHeadersAsync.ConfigureAwait(false);
            var status = _call.GetStatus();
            return status.StatusCode == StatusCode.OK ? fallback : new RpcException(status, _call.GetTrailers());
        }
        catch (RpcException e)
        {
            return e;
        }
        catch (InvalidOperationException)
        {
            return fallback;
        }
    }

    /// <summary>Ends the call; a command still running is killed by the server.</summary>
    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
