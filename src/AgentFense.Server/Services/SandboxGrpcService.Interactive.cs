using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentFense.Api.V1;
using AgentFense.Runtime.Init;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// ExecInteractive: a command whose stdin streams from the client while its output streams back.
/// </summary>
/// <remarks>
/// Overview. Three loops share one command. The input loop reads the request stream: stdin data goes to a
/// short queue, close_stdin (or the client half-closing its stream) queues the end of stdin after it, and
/// signals go to the command at once, past queued stdin, so a SIGINT reaches a command that does not read.
/// The stdin loop drains the queue into init under init's stdin window. The output loop, the handler
/// itself, sends output as it comes and ends with the exit. A bad input message ends the call with
/// INVALID_ARGUMENT and kills the command; so does the client cancelling the call. Stdin the command no
/// longer reads once it ended (<c>head -n1</c>) is dropped, as a pipe would.
/// </remarks>
internal sealed partial class SandboxGrpcService
{
    /// <summary>Stdin messages queued ahead of the command; past it the input loop waits (and so does the client).</summary>
    private const int StdinQueueMessages = 64;

    public override async Task ExecInteractive(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken))
            throw Invalid("the stream ended before its first message, which must be start");
        if (requestStream.Current.InputCase != ExecInput.InputOneofCase.Start)
            throw Invalid($"the first message must be start, not {requestStream.Current.InputCase}");
        var request = requestStream.Current.Start;
        Running(request.SandboxId);
        if (request.Command.Length == 0)
            throw Invalid("the command is empty");
        var options = ToExecOptions(request);
        var stdin = Channel.CreateBounded<ReadOnlyMemory<byte>?>(new BoundedChannelOptions(StdinQueueMessages) { SingleReader = true, SingleWriter = true });
        // The request's own stdin (bytes or string) goes first, through the same queue as the rest.
        if (options.Stdin is { IsEmpty: false } initial)
            stdin.Writer.TryWrite(initial);
        options = options with { Stdin = null, StreamStdin = true };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        await using var command = await manager.StartCommandAsync(request.SandboxId, options, context.CancellationToken);
        var writer = WriteStdinAsync(command, stdin.Reader, stop.Token);
        var inputError = new StrongBox<RpcException?>();
        var reader = ReadInputAsync(requestStream, command, stdin.Writer, inputError, stop);
        try
        {
            await WriteOutputAsync(command.ReadOutputAsync(stop.Token), options.Timeout, responseStream, context);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref inputError.Value) is { } error)
        {
            // The input loop stopped the command for a bad message: that is the call's error.
            throw error;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(QuietlyAsync(writer), QuietlyAsync(reader));
        }
    }

    /// <summary>Reads the rest of the request stream; a bad message is kept in <paramref name="error"/> before the call is stopped.</summary>
    private static async Task ReadInputAsync(IAsyncStreamReader<ExecInput> requests, CommandExecution command,
        ChannelWriter<ReadOnlyMemory<byte>?> stdin, StrongBox<RpcException?> error, CancellationTokenSource stop)
    {
        var closed = false;
        try
        {
            while (await requests.MoveNext(stop.Token))
            {
                var input = requests.Current;
                switch (input.InputCase)
                {
                    case ExecInput.InputOneofCase.Stdin when closed:
                        throw Invalid("stdin data came after close_stdin");
                    case ExecInput.InputOneofCase.Stdin:
                        if (!input.Stdin.IsEmpty)
                            await stdin.WriteAsync(input.Stdin.Memory, stop.Token);
                        break;
                    case ExecInput.InputOneofCase.CloseStdin when input.CloseStdin && !closed:
                        closed = true;
                        await stdin.WriteAsync(null, stop.Token);
                        break;
                    case ExecInput.InputOneofCase.CloseStdin:
                        break;
                    case ExecInput.InputOneofCase.Signal:
                        if (input.Signal is < 1 or > MaxSignal)
                            throw Invalid($"signal {input.Signal} is not a signal number (1 to {MaxSignal})");
                        await SignalQuietlyAsync(command, input.Signal);
                        break;
                    case ExecInput.InputOneofCase.Start:
                        throw Invalid("start may only be the first message");
                    default:
                        throw Invalid("an input message sets none of stdin, close_stdin, signal");
                }
            }
            // The client half-closed its stream: it has no more stdin to send.
            if (!closed)
                await stdin.WriteAsync(null, stop.Token);
        }
        catch (RpcException e)
        {
            Volatile.Write(ref error.Value, e);
            await stop.CancelAsync();
        }
    }

    private static async Task SignalQuietlyAsync(CommandExecution command, int signal)
    {
        try
        {
            await command.SignalAsync(signal);
        }
        catch (InitException)
        {
            // The box is gone; the output loop reports how the command ended.
        }
    }

    /// <summary>Feeds queued stdin to the command, then its end; once the command ended, drops what is left.</summary>
    private static async Task WriteStdinAsync(CommandExecution command, ChannelReader<ReadOnlyMemory<byte>?> stdin, CancellationToken cancellationToken)
    {
        var open = true;
        await foreach (var data in stdin.ReadAllAsync(cancellationToken))
        {
            if (!open)
                continue;
            try
            {
                if (data is { } bytes)
                    await command.WriteStdinAsync(bytes, cancellationToken);
                else
                    await command.CloseStdinAsync();
            }
            catch (InitException)
            {
                open = false;
            }
        }
    }

    private static async Task QuietlyAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Cancelled with the call; an input error was kept for the handler to report.
        }
    }
}
