using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

public sealed partial class InitClient
{
    /// <summary>Starts a session shell; returns once it has run its first (internal) command.</summary>
    public async Task<InitSession> CreateSessionAsync(SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new SessionOptions();
        var pending = Register(RequestKind.Start);
        var request = new SessionCreateRequest
        {
            Shell = options.Shell ?? string.Empty,
            Env = [.. options.Environment],
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
            Pty = options.Pty is not null,
            PtyColumns = options.Pty?.Columns ?? 0,
            PtyRows = options.Pty?.Rows ?? 0,
        };
        await SendFrameAsync(pending, request).ConfigureAwait(false);
        var frame = await ReadFrameAsync(pending, cancellationToken).ConfigureAwait(false);
        frame.Expect(MessageType.Started);
        var pid = Started.Read(frame.Span).Pid;
        frame.Return();
        return new InitSession(this, pending.Id, pid);
    }
}
