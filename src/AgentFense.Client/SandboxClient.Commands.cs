using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense;

public sealed partial class SandboxClient
{
    /// <summary>Exec: runs a command to its end (any exit code is a result; past its timeout, <see cref="CommandTimeoutException"/>).</summary>
    public Task<ExecResult> ExecAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ExecAsync(request, o), idempotent: false, cancellationToken, request.Timeout?.ToTimeSpan());

    /// <summary>ExecStream: output as it comes; the last message carries <c>Exit</c>. Disposing the enumerator kills the command.</summary>
    public IAsyncEnumerable<ExecOutput> ExecStreamAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        ServerStreamAsync(o => _sandboxes.ExecStream(request, o), cancellationToken);

    /// <summary>ExecInteractive: a command whose stdin the caller writes while reading its output.</summary>
    public async Task<InteractiveCommand> ExecInteractiveAsync(ExecRequest request, CancellationToken cancellationToken = default)
    {
        var call = _sandboxes.ExecInteractive(CallOptions(cancellationToken, stream: true));
        var command = new InteractiveCommand(call, cancellationToken);
        await command.SendAsync(new ExecInput { Start = request }).ConfigureAwait(false);
        return command;
    }

    /// <summary>CreateSession: a persistent shell (default <c>/bin/bash</c>).</summary>
    public Task<Session> CreateSessionAsync(string sandboxId, string? shell = null, IReadOnlyDictionary<string, string>? env = null, CancellationToken cancellationToken = default)
    {
        var request = new CreateSessionRequest { SandboxId = sandboxId, Shell = shell ?? "" };
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
            request.Env[key] = value;
        return UnaryAsync(o => _sandboxes.CreateSessionAsync(request, o), idempotent: false, cancellationToken);
    }

    /// <summary>GetSession.</summary>
    public Task<Session> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = sessionId }, o), idempotent: true, cancellationToken);

    /// <summary>ListSessions of a sandbox.</summary>
    public Task<ListSessionsResponse> ListSessionsAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ListSessionsAsync(new ListSessionsRequest { SandboxId = sandboxId }, o), idempotent: true, cancellationToken);

    /// <summary>DestroySession.</summary>
    public Task<Empty> DestroySessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.DestroySessionAsync(new DestroySessionRequest { SessionId = sessionId }, o), idempotent: false, cancellationToken);

    /// <summary>SessionExec: a command in the session's shell.</summary>
    public Task<ExecResult> SessionExecAsync(SessionExecRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.SessionExecAsync(request, o), idempotent: false, cancellationToken, request.Timeout?.ToTimeSpan());

    /// <summary>SessionExecStream: a command in the session's shell, output as it comes.</summary>
    public IAsyncEnumerable<ExecOutput> SessionExecStreamAsync(SessionExecRequest request, CancellationToken cancellationToken = default) =>
        ServerStreamAsync(o => _sandboxes.SessionExecStream(request, o), cancellationToken);
}
