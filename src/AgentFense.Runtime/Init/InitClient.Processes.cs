using System.Collections.Concurrent;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

public sealed partial class InitClient
{
    private readonly ConcurrentDictionary<uint, CommandStart> _background = new();

    /// <summary>Starts a background process: init keeps its output (up to the limit) for <see cref="ReadProcessOutputAsync"/>.</summary>
    public async Task<BackgroundProcess> StartBackgroundAsync(ExecOptions options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (options.StreamStdin || options.Pty is not null)
            throw new ArgumentException("a background process takes no streamed stdin and no PTY", nameof(options));
        var pending = Register(RequestKind.Start);
        var start = new CommandStart(this, CommandStart.TextOf(options), 0);
        int pid;
        try
        {
            await SendFrameAsync(pending, options.ToRequest(background: true)).ConfigureAwait(false);
            var frame = await ReadFrameAsync(pending, cancellationToken).ConfigureAwait(false);
            frame.Expect(MessageType.Started);
            pid = Started.Read(frame.Span).Pid;
            frame.Return();
        }
        catch (Exception e)
        {
            start.Fail(e);
            throw;
        }
        // Reported by the first wait that sees its exit (the server's process table waits for every one).
        _background[pending.Id] = start;
        return new BackgroundProcess(pending.Id, pid);
    }

    /// <summary>Lists background processes (running, and exited ones not yet released).</summary>
    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync(MessageType.ListProcesses, 0, hasTarget: false, cancellationToken).ConfigureAwait(false);
        frame.Expect(MessageType.ProcessList);
        var list = ProcessList.Read(frame.Span).Processes;
        frame.Return();
        return list;
    }

    /// <summary>Sends a signal to a background process's group (or to a running command's, by its id).</summary>
    public ValueTask SignalAsync(uint processId, int signal)
    {
        var writer = new WireWriter(64);
        writer.WriteFrame(processId, new SignalRequest(signal));
        return SendAsync(writer, null);
    }

    /// <summary>Waits for a background process to exit.</summary>
    public async Task<ExitStatus> WaitProcessAsync(uint processId, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync(MessageType.WaitProcess, processId, hasTarget: true, cancellationToken).ConfigureAwait(false);
        frame.Expect(MessageType.Exit);
        var status = ExitStatus.Read(frame.Span);
        frame.Return();
        if (_background.TryRemove(processId, out var start))
            start.Report(Task.FromResult(status));
        return status;
    }

    /// <summary>Reads kept output of a background process from <paramref name="offset"/>.</summary>
    public async Task<OutputData> ReadProcessOutputAsync(uint processId, OutputStream stream, long offset = 0, int maxBytes = 1024 * 1024,
        CancellationToken cancellationToken = default)
    {
        var pending = Register(RequestKind.Single);
        await SendFrameAsync(pending, new ReadOutputRequest(processId, stream, offset, maxBytes)).ConfigureAwait(false);
        var frame = await ReadFrameAsync(pending, cancellationToken).ConfigureAwait(false);
        frame.Expect(MessageType.OutputData);
        var data = OutputData.Read(frame.Span);
        frame.Return();
        return data;
    }

    /// <summary>Forgets a background process, killing it if it still runs.</summary>
    public async Task ReleaseProcessAsync(uint processId, CancellationToken cancellationToken = default)
    {
        var frame = await RequestAsync(MessageType.ReleaseProcess, processId, hasTarget: true, cancellationToken).ConfigureAwait(false);
        frame.Expect(MessageType.Ok);
        frame.Return();
    }

    /// <summary>One request answered by one frame; the payload is the target id, if any.</summary>
    internal async Task<InboundFrame> RequestAsync(MessageType type, uint target, bool hasTarget, CancellationToken cancellationToken)
    {
        var pending = Register(RequestKind.Single);
        var writer = new WireWriter(64);
        if (hasTarget)
            new ProcessRef(target).WriteFrame(writer, type, pending.Id);
        else
            writer.WriteEmptyFrame(type, pending.Id);
        await SendAsync(writer, pending).ConfigureAwait(false);
        return await ReadFrameAsync(pending, cancellationToken).ConfigureAwait(false);
    }
}
