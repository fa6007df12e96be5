using System.Text;
using AgentFense.Api.V1;
using AgentFense.Engine;
using ExitFlags = AgentFense.Init.Protocol.ExitFlags;
using AgentFense.Server.Codebases;
using AgentFense.Server.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Empty = AgentFense.Api.V1.Empty;
using static AgentFense.Server.Services.ApiMapping;
using EngineExecOptions = AgentFense.Runtime.Init.ExecOptions;

namespace AgentFense.Server.Services;

/// <summary>
/// <c>sandbox.v1.SandboxService</c> over the <see cref="SandboxManager"/>: lifecycle and Exec here, ExecStream
/// and sessions in the partial files.
/// </summary>
/// <remarks>
/// The API shape of each sandbox (rules, labels, limits, times) lives in its SQLite row; its state is the
/// engine's. Lifecycle calls of one sandbox are serialized by the engine; the row's times are written after.
/// </remarks>
internal sealed partial class SandboxGrpcService(SandboxManager manager, CodebaseStore codebases, MetadataStore metadata, SandboxCatalog catalog, SessionTable sessions)
    : SandboxService.SandboxServiceBase
{
    public override async Task<Sandbox> CreateSandbox(CreateSandboxRequest request, ServerCallContext context)
    {
        var codebase = codebases.GetVisible(request.CodebaseId) ?? throw NotFound($"no codebase '{request.CodebaseId}'", ApiErrors.CodebaseNotFound);
        var (runtime, image) = await ChooseRuntimeAsync(request, context);
        if (request.ExpiresIn is { } expires && expires.ToTimeSpan() < TimeSpan.Zero)
            throw Invalid("expires_in may not be negative");
        var sandbox = new Sandbox
        {
            CodebaseId = codebase.Id,
            Status = SandboxStatus.Pending,
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Runtime = runtime,
            Image = image,
            Resources = request.Resources,
        };
        sandbox.Permissions.AddRange(request.Permissions);
        sandbox.Labels.Add(request.Labels);
        if (request.ExpiresIn is { } duration && duration.ToTimeSpan() > TimeSpan.Zero)
            sandbox.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + duration.ToTimeSpan());
        SandboxRecord record;
        try
        {
            record = manager.Create(ToSpec(sandbox, codebases.PathOf(codebase.Id)));
        }
        catch (Policy.PolicyException e)
        {
            throw Invalid(e.Message, ApiErrors.InvalidRule);
        }
        sandbox.Id = record.Id;
        sandbox.CreatedAt = Timestamp.FromDateTimeOffset(record.CreatedAt);
        var owner = Auth.Caller.Owner ?? "";
        metadata.AddSandbox(sandbox, (int)record.State, owner);
        catalog.Put(sandbox, owner);
        return sandbox.Clone();
    }

    public override Task<Sandbox> GetSandbox(GetSandboxRequest request, ServerCallContext context) =>
        Task.FromResult(Current(request.SandboxId));

    public override Task<ListSandboxesResponse> ListSandboxes(ListSandboxesRequest request, ServerCallContext context)
    {
        var all = catalog.List()
            .Where(s => Auth.Caller.CanSee(catalog.OwnerOf(s.Id)))
            .Where(s => request.CodebaseId.Length == 0 || s.CodebaseId == request.CodebaseId)
            .Select(s => WithState(s))
            .Where(s => s is not null)
            .Select(s => s!)
            .ToList();
        var (page, next) = CodebaseGrpcService.Page(all, request.PageSize, request.PageToken);
        var response = new ListSandboxesResponse { NextPageToken = next };
        response.Sandboxes.AddRange(page);
        return Task.FromResult(response);
    }

    public override async Task<Sandbox> StartSandbox(StartSandboxRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (sandbox.Status == SandboxStatus.Running)
            return sandbox;
        await manager.StartAsync(request.SandboxId, context.CancellationToken);
        return catalog.Update(request.SandboxId, s => s.StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), metadata)
            is { } updated ? Current(updated.Id) : throw NotFound($"no sandbox '{request.SandboxId}'", ApiErrors.SandboxNotFound);
    }

    public override async Task<Sandbox> StopSandbox(StopSandboxRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (sandbox.Status != SandboxStatus.Running)
            return sandbox;
        await manager.StopAsync(request.SandboxId, context.CancellationToken);
        sessions.CloseAll(request.SandboxId, remove: false);
        return catalog.Update(request.SandboxId, s => s.StoppedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), metadata)
            is { } updated ? Current(updated.Id) : throw NotFound($"no sandbox '{request.SandboxId}'", ApiErrors.SandboxNotFound);
    }

    public override async Task<Empty> DestroySandbox(DestroySandboxRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        await manager.DestroyAsync(request.SandboxId, context.CancellationToken);
        sessions.CloseAll(request.SandboxId, remove: true);
        catalog.Remove(request.SandboxId);
        metadata.RemoveSandbox(request.SandboxId);
        return new Empty();
    }

    public override async Task<ExecResult> Exec(ExecRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (request.Command.Length == 0)
            throw Invalid("the command is empty");
        if (sandbox.Status != SandboxStatus.Running)
            throw Precondition($"sandbox '{request.SandboxId}' is not running", ApiErrors.SandboxNotRunning);
        var options = ToExecOptions(request);
        var result = await manager.ExecAsync(request.SandboxId, options, context.CancellationToken);
        if ((result.Exit.Flags & ExitFlags.TimedOut) != 0)
            throw TimedOut(options.Timeout);
        return ToResult(result);
    }

    private static ExecResult ToResult(Runtime.Init.ExecResult result) => new()
    {
        Stdout = Encoding.UTF8.GetString(result.Stdout),
        Stderr = Encoding.UTF8.GetString(result.Stderr),
        ExitCode = result.ExitCode,
        Duration = Duration.FromTimeSpan(TimeSpan.FromMicroseconds(result.Exit.DurationMicros)),
    };

    private static RpcException TimedOut(TimeSpan? timeout) =>
        ApiErrors.Create(StatusCode.DeadlineExceeded, ApiErrors.CommandTimeout, $"the command ran past its timeout of {timeout}");

    private static EngineExecOptions ToExecOptions(ExecRequest request)
    {
        var environment = new List<string>();
        foreach (var (key, value) in request.Env)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                throw Invalid($"environment variable '{key}' is not valid");
            environment.Add($"{key}={value}");
        }
        TimeSpan? timeout = null;
        if (request.Timeout is { } t)
        {
            if (t.ToTimeSpan() < TimeSpan.Zero)
                throw Invalid("timeout may not be negative");
            if (t.ToTimeSpan() > TimeSpan.Zero)
                timeout = t.ToTimeSpan();
        }
        if (request.Workdir.Contains('\0', StringComparison.Ordinal))
            throw Invalid("workdir contains NUL");
        return new EngineExecOptions
        {
            Command = request.Command,
            Environment = environment,
            WorkingDirectory = request.Workdir.Length == 0 ? null
                : request.Workdir.StartsWith('/') ? request.Workdir : "/workspace/" + request.Workdir,
            Stdin = request.Stdin.Length == 0 ? null : Encoding.UTF8.GetBytes(request.Stdin),
            Timeout = timeout,
        };
    }

    /// <summary>The sandbox with its current engine state, or NOT_FOUND.</summary>
    private Sandbox Running(string id)
    {
        var sandbox = Current(id);
        return sandbox.Status == SandboxStatus.Running ? sandbox : throw Precondition($"sandbox '{id}' is not running", ApiErrors.SandboxNotRunning);
    }

    private Sandbox Current(string id) =>
        catalog.TryGet(id) is { } stored && Auth.Caller.CanSee(catalog.OwnerOf(id)) && WithState(stored) is { } sandbox ? sandbox : throw NotFound($"no sandbox '{id}'", ApiErrors.SandboxNotFound);

    private Sandbox? WithState(Sandbox stored)
    {
        SandboxRecord record;
        try
        {
            record = manager.Get(stored.Id);
        }
        catch (SandboxNotFoundException)
        {
            return null;
        }
        var copy = stored.Clone();
        copy.Status = ToStatus(record.State);
        return copy;
    }
}
