using AgentFense.Api.V1;
using ExitFlags = AgentFense.Init.Protocol.ExitFlags;
using AgentFense.Runtime.Init;
using SessionOptions = AgentFense.Runtime.Init.SessionOptions;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense.Server.Services;

internal sealed partial class SandboxGrpcService
{
    private const string DefaultShell = "/bin/bash";

    public override async Task<Session> CreateSession(CreateSessionRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        var shell = request.Shell.Length == 0 ? DefaultShell : request.Shell;
        if (shell.Contains('\0', StringComparison.Ordinal))
            throw Invalid("shell contains NUL");
        var environment = new List<string>();
        foreach (var (key, value) in request.Env)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                throw Invalid($"environment variable '{key}' is not valid");
            environment.Add($"{key}={value}");
        }
        // An empty list means the box's defaults; given variables are added to them.
        var box = manager.GetBox(request.SandboxId);
        var sessionOptions = new SessionOptions
        {
            Shell = shell,
            Environment = environment.Count == 0 ? [] : [.. box.Environment.Where(e => !request.Env.ContainsKey(e[..Math.Max(0, e.IndexOf('=', StringComparison.Ordinal))])), .. environment],
        };
        var initSession = await manager.CreateSessionAsync(request.SandboxId, sessionOptions, context.CancellationToken);
        return sessions.Add(request.SandboxId, shell, initSession);
    }

    public override Task<Session> GetSession(GetSessionRequest request, ServerCallContext context) =>
        Task.FromResult(SessionTable.Snapshot(SessionOf(request.SessionId)));

    public override Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        var response = new ListSessionsResponse();
        response.Sessions.AddRange(sessions.ListOf(request.SandboxId));
        return Task.FromResult(response);
    }

    public override async Task<Empty> DestroySession(DestroySessionRequest request, ServerCallContext context)
    {
        SessionOf(request.SessionId); // another owner's session is NOT_FOUND
        if (!await sessions.DestroyAsync(request.SessionId))
            throw NotFound($"no session '{request.SessionId}'", ApiErrors.SessionNotFound);
        return new Empty();
    }

    public override async Task<Api.V1.ExecResult> SessionExec(SessionExecRequest request, ServerCallContext context)
    {
        var entry = ActiveSession(request);
        var execOptions = ToSessionOptions(request);
        try
        {
            var result = await entry.Shell!.ExecAsync(request.Command, execOptions, context.CancellationToken);
            if ((result.Exit.Flags & ExitFlags.TimedOut) != 0)
                throw TimedOut(execOptions.Timeout);
            if ((result.Exit.Flags & ExitFlags.SessionEnded) != 0)
            {
                // The shell exited (e.g. the command ran `exit`): the session is over for good.
                sessions.MarkClosed(entry);
                throw Precondition($"session '{request.SessionId}' ended", ApiErrors.SessionClosed);
            }
            return ToResult(result);
        }
        catch (InitException e)
        {
            throw Precondition($"session '{request.SessionId}' is not usable: {e.Message}", ApiErrors.SessionClosed);
        }
    }

    public override async Task SessionExecStream(SessionExecRequest request, IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context)
    {
        var entry = ActiveSession(request);
        var execOptions = ToSessionOptions(request);
        try
        {
            await using var execution = await entry.Shell!.StartAsync(request.Command, execOptions, context.CancellationToken);
            await WriteOutputAsync(execution.ReadOutputAsync(context.CancellationToken), execOptions.Timeout, responseStream, context);
        }
        catch (InitException e)
        {
            throw Precondition($"session '{request.SessionId}' is not usable: {e.Message}", ApiErrors.SessionClosed);
        }
    }

    private SessionTable.Entry ActiveSession(SessionExecRequest request)
    {
        var entry = SessionOf(request.SessionId);
        if (request.Command.Length == 0)
            throw Invalid("the command is empty");
        if (SessionTable.Snapshot(entry).Status != SessionStatus.Active)
            throw Precondition($"session '{request.SessionId}' is closed", ApiErrors.SessionClosed);
        return entry;
    }

    private SessionTable.Entry SessionOf(string id) =>
        (sessions.TryGet(id) is { } entry && Auth.Caller.CanSee(catalog.OwnerOf(entry.Session.SandboxId)) ? entry : null) ?? throw NotFound($"no session '{id}'", ApiErrors.SessionNotFound);

    /// <summary>The options of a session command; no timeout takes the server's default.</summary>
    private SessionExecOptions ToSessionOptions(SessionExecRequest request)
    {
        if (request.Timeout is { } t && t.ToTimeSpan() < TimeSpan.Zero)
            throw Invalid("timeout may not be negative");
        return new SessionExecOptions { Timeout = request.Timeout is { } given && given.ToTimeSpan() > TimeSpan.Zero ? given.ToTimeSpan() : options.DefaultExecTimeout };
    }
}
