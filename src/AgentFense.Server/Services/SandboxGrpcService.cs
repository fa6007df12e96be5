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
internal sealed partial class SandboxGrpcService(SandboxManager manager, CodebaseStore codebases, MetadataStore metadata, SandboxCatalog catalog, SessionTable sessions,
    ServerOptions options)
    : SandboxService.SandboxServiceBase
{
    public override Task<Sandbox> CreateSandbox(CreateSandboxRequest request, ServerCallContext context) =>
        CreateCoreAsync(request, context.CancellationToken);

    public override Task<Sandbox> GetSandbox(GetSandboxRequest request, ServerCallContext context) =>
        Task.FromResult(Current(request.SandboxId));

    public override Task<ListSandboxesResponse> ListSandboxes(ListSandboxesRequest request, ServerCallContext context)
    {
        if (!LabelSelector.TryParse(request.LabelSelector, out var selector, out var error))
            throw Invalid($"label_selector '{request.LabelSelector}' is malformed: {error}", ApiErrors.InvalidLabelSelector);
        if (!System.Enum.IsDefined(request.Status))
            throw Invalid($"status {(int)request.Status} is not a sandbox status");
        var all = catalog.List()
            .Where(s => Auth.Caller.CanSee(catalog.OwnerOf(s.Id)))
            .Where(s => request.CodebaseId.Length == 0 || s.CodebaseId == request.CodebaseId)
            .Where(s => selector.Matches(s.Labels))
            .Select(s => WithState(s))
            .Where(s => s is not null && (request.Status == SandboxStatus.Unspecified || s.Status == request.Status))
            .Select(s => s!)
            .ToList();
        var (page, next) = CodebaseGrpcService.Page(all, request.PageSize, request.PageToken);
        var response = new ListSandboxesResponse { NextPageToken = next };
        response.Sandboxes.AddRange(page);
        return Task.FromResult(response);
    }

    public override Task<Sandbox> StartSandbox(StartSandboxRequest request, ServerCallContext context) =>
        StartCoreAsync(request.SandboxId, context.CancellationToken);

    public override async Task<Sandbox> StopSandbox(StopSandboxRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (sandbox.Status != SandboxStatus.Running)
            return sandbox;
        await manager.StopAsync(request.SandboxId, context.CancellationToken);
        sessions.CloseAll(request.SandboxId, remove: false);
        return catalog.Update(request.SandboxId, s =>
            {
                s.StoppedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                s.StatusReason = "";
            }, metadata)
            is { } updated ? Current(updated.Id) : throw NotFound($"no sandbox '{request.SandboxId}'", ApiErrors.SandboxNotFound);
    }

    public override async Task<Empty> DestroySandbox(DestroySandboxRequest request, ServerCallContext context)
    {
        await DestroyCoreAsync(request.SandboxId, context.CancellationToken);
        return new Empty();
    }

    /// <summary>
    /// Creates a sandbox for the caller (CreateSandbox and each item of BatchCreateSandboxes): the request with
    /// the server's defaults, within the caller's limit of sandboxes.
    /// </summary>
    private async Task<Sandbox> CreateCoreAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var codebase = codebases.GetVisible(request.CodebaseId) ?? throw NotFound($"no codebase '{request.CodebaseId}'", ApiErrors.CodebaseNotFound);
        var (runtime, image) = await ChooseRuntimeAsync(request, cancellationToken);
        var sandbox = SandboxDefaults.Apply(request, codebase.Id, options, DateTimeOffset.UtcNow);
        sandbox.Runtime = runtime;
        sandbox.Image = image;
        var owner = Auth.Caller.Owner ?? "";
        lock (catalog.CreateLock)
        {
            if (options.MaxSandboxesPerOwner > 0 && catalog.CountOf(owner) >= options.MaxSandboxesPerOwner)
                throw ApiErrors.Create(StatusCode.ResourceExhausted, ApiErrors.SandboxLimitReached,
                    $"the limit of {options.MaxSandboxesPerOwner} sandboxes per owner is reached; destroy one first");
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
            metadata.AddSandbox(sandbox, (int)record.State, owner);
            catalog.Put(sandbox, owner);
        }
        return sandbox.Clone();
    }

    /// <summary>
    /// Starts a sandbox of the caller (StartSandbox and each item of the batches). A running one is returned as
    /// it is; an ERROR one is tried again, and a success clears its error; a failure leaves its status as it was.
    /// </summary>
    private async Task<Sandbox> StartCoreAsync(string id, CancellationToken cancellationToken)
    {
        var sandbox = Current(id);
        if (sandbox.Status == SandboxStatus.Running)
            return sandbox;
        try
        {
            await manager.StartAsync(id, cancellationToken);
        }
        catch (Exception e) when (sandbox.Status == SandboxStatus.Error && e is not OperationCanceledException)
        {
            catalog.Update(id, s => s.StatusReason = $"starting it again failed: {e.Message}", metadata);
            throw;
        }
        return catalog.Update(id, s =>
            {
                s.StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                s.Status = SandboxStatus.Unspecified;
                s.StatusReason = "";
            }, metadata)
            is { } updated ? Current(updated.Id) : throw NotFound($"no sandbox '{id}'", ApiErrors.SandboxNotFound);
    }

    /// <summary>Destroys a sandbox of the caller with its delta and sessions (DestroySandbox and each item of BatchDestroySandboxes).</summary>
    private async Task DestroyCoreAsync(string id, CancellationToken cancellationToken)
    {
        Current(id);
        await manager.DestroyAsync(id, cancellationToken);
        catalog.Forget(id, sessions, metadata);
    }

    public override async Task<ExecResult> Exec(ExecRequest request, ServerCallContext context)
    {
        var sandbox = Current(request.SandboxId);
        if (request.Command.Length == 0)
            throw Invalid("the command is empty");
        if (sandbox.Status != SandboxStatus.Running)
            throw Precondition($"sandbox '{request.SandboxId}' is not running", ApiErrors.SandboxNotRunning);
        var execOptions = ToExecOptions(request);
        var result = await manager.ExecAsync(request.SandboxId, execOptions, context.CancellationToken);
        if ((result.Exit.Flags & ExitFlags.TimedOut) != 0)
            throw TimedOut(execOptions.Timeout);
        return ToResult(result);
    }

    /// <summary>
    /// The wire result: the strings are the output decoded as UTF-8 (an invalid sequence becomes U+FFFD, as
    /// <see cref="Encoding.UTF8"/> replaces rather than throws), the bytes fields the output as written.
    /// </summary>
    private static ExecResult ToResult(Runtime.Init.ExecResult result) => new()
    {
        Stdout = Encoding.UTF8.GetString(result.Stdout),
        Stderr = Encoding.UTF8.GetString(result.Stderr),
        ExitCode = result.ExitCode,
        Duration = Duration.FromTimeSpan(TimeSpan.FromMicroseconds(result.Exit.DurationMicros)),
        StdoutBytes = Google.Protobuf.ByteString.CopyFrom(result.Stdout),
        StderrBytes = Google.Protobuf.ByteString.CopyFrom(result.Stderr),
        StdoutTruncated = (result.Exit.Flags & ExitFlags.StdoutTruncated) != 0,
        StderrTruncated = (result.Exit.Flags & ExitFlags.StderrTruncated) != 0,
    };

    private static RpcException TimedOut(TimeSpan? timeout) =>
        ApiErrors.Create(StatusCode.DeadlineExceeded, ApiErrors.CommandTimeout, $"the command ran past its timeout of {timeout}");

    /// <summary>
    /// The engine's options of <paramref name="request"/>: binary stdin wins over the string; no timeout takes the
    /// server's default; the request's variables are added to the box's environment (one rule for Exec,
    /// ExecStream, ExecInteractive and processes, as for sessions).
    /// </summary>
    private EngineExecOptions ToExecOptions(ExecRequest request)
    {
        var environment = new List<string>();
        foreach (var (key, value) in request.Env)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                throw Invalid($"environment variable '{key}' is not valid");
            environment.Add($"{key}={value}");
        }
        var timeout = options.DefaultExecTimeout;
        if (request.Timeout is { } t)
        {
            if (t.ToTimeSpan() < TimeSpan.Zero)
                throw Invalid("timeout may not be negative");
            if (t.ToTimeSpan() > TimeSpan.Zero)
                timeout = t.ToTimeSpan();
        }
        if (request.Workdir.Contains('\0', StringComparison.Ordinal))
            throw Invalid("workdir contains NUL");
        return WithBoxEnvironment(request.SandboxId, new EngineExecOptions
        {
            Command = request.Command,
            Environment = environment,
            WorkingDirectory = request.Workdir.Length == 0 ? null
                : request.Workdir.StartsWith('/') ? request.Workdir : "/workspace/" + request.Workdir,
            Stdin = request.StdinBytes.Length > 0 ? request.StdinBytes.ToByteArray()
                : request.Stdin.Length == 0 ? null : Encoding.UTF8.GetBytes(request.Stdin),
            Timeout = timeout,
        }, request.Env.Keys);
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
        copy.Status = ToStatus(stored, record.State);
        return copy;
    }
}
