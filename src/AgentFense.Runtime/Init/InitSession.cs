using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>
/// A persistent shell in the box: working directory, exported variables and functions carry over
/// from one command to the next; each command has its own stdout, stderr and exit code.
/// </summary>
public sealed class InitSession : IAsyncDisposable
{
    private readonly InitClient _client;
    private int _closed;

    internal InitSession(InitClient client, uint id, int pid)
    {
        _client = client;
        Id = id;
        Pid = pid;
    }

    /// <summary>The request id naming the session on the wire.</summary>
    public uint Id { get; }

    /// <summary>The shell's pid.</summary>
    public int Pid { get; }

    /// <summary>Runs one command in the shell and collects its output.</summary>
    /// <exception cref="InitException"><see cref="ErrorCode.SessionBusy"/> when busy and not waiting; <see cref="ErrorCode.SessionClosed"/> once the shell is gone.</exception>
    public async Task<ExecResult> ExecAsync(string command, SessionExecOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var execution = await StartAsync(command, options, cancellationToken).ConfigureAwait(false);
        return await execution.CollectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one command to the shell; read its output from the returned execution.</summary>
    public async Task<CommandExecution> StartAsync(string command, SessionExecOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new SessionExecOptions();
        var pending = _client.Register(RequestKind.Command);
        var request = new SessionExecRequest
        {
            SessionId = Id,
            Command = command,
            TimeoutMs = options.Timeout is { } t ? (uint)Math.Clamp(Math.Ceiling(t.TotalMilliseconds), 1, uint.MaxValue) : 0,
            OutputLimit = options.OutputLimit,
            InitialCredit = options.CreditWindow,
            WaitIfBusy = options.WaitIfBusy,
        };
        var start = new CommandStart(_client, command, Id);
        try
        {
            await _client.SendFrameAsync(pending, request).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            start.Fail(e);
            throw;
        }
        return new CommandExecution(_client, pending, 0, request.InitialCredit, start);
    }

    /// <summary>Resizes the session's PTY.</summary>
    public ValueTask ResizeAsync(ushort columns, ushort rows)
    {
        var writer = new WireWriter(64);
        writer.WriteFrame(Id, new ResizeRequest(columns, rows));
        return _client.SendAsync(writer, null);
    }

    /// <summary>Ends the shell and everything it runs; a running command ends with <see cref="ExitFlags.SessionEnded"/>.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        var frame = await _client.RequestAsync(MessageType.SessionClose, Id, hasTarget: true, cancellationToken).ConfigureAwait(false);
        try
        {
            frame.ThrowIfError();
        }
        catch (InitException e) when (e.Code == ErrorCode.SessionClosed)
        {
            // The shell had already exited.
        }
        frame.Return();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        catch (InitException)
        {
            // The connection is gone, and the session with it.
        }
    }
}
