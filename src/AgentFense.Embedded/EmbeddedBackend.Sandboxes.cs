using AgentFense.Embedded.Internal;
using AgentFense.Engine;
using static AgentFense.Embedded.Internal.EngineErrors;
using EngineState = AgentFense.Engine.SandboxState;

namespace AgentFense.Embedded;

public sealed partial class EmbeddedBackend
{
    /// <inheritdoc />
    public async Task<SandboxInfo> CreateSandboxAsync(string codebaseId, SandboxOptions options, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var codebase = Codebase(codebaseId);
        if (options.ExpiresIn is { } expires && expires < TimeSpan.Zero)
            throw new InvalidArgumentException("expires_in may not be negative", "INVALID_ARGUMENT");
        var docker = options.Runtime == RuntimeKind.Docker;
        if (docker)
        {
            if (string.IsNullOrEmpty(options.Image))
                throw new ImageNotFoundException("a docker sandbox needs an image (SandboxOptions.Image)", "IMAGE_NOT_FOUND");
            await Guard(() => _manager.Docker.CheckImageAsync(options.Image, cancellationToken)).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(options.Image))
        {
            throw new InvalidArgumentException($"image '{options.Image}' was given for a bwrap sandbox; images are for the docker runtime", "INVALID_ARGUMENT");
        }
        var rules = options.EffectiveRules();
        var spec = new SandboxSpec
        {
            CodebasePath = codebase.Info.HostPath!,
            Rules = [.. rules.Concat(codebase.Hidden).Select(EngineMapping.ToEngine)],
            Limits = EngineMapping.ToLimits(options),
            Network = options.Network,
            Runtime = docker ? BoxRuntimeKind.Docker : BoxRuntimeKind.Bwrap,
            Image = docker ? options.Image : null,
        };
        if (options.DeltaSizeBytes is > 0 and { } delta)
            spec = spec with { DeltaSizeLimit = delta };
        SandboxRecord record;
        try
        {
            record = _manager.Create(spec);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
        var now = record.CreatedAt;
        var state = new TrackedSandbox(new SandboxInfo
        {
            Id = record.Id,
            CodebaseId = codebaseId,
            Status = AgentFense.SandboxStatus.Pending,
            Rules = rules,
            Labels = new Dictionary<string, string>(options.Labels),
            CreatedAt = now,
            ExpiresAt = options.ExpiresIn is { } e2 && e2 > TimeSpan.Zero ? now + e2 : null,
            Runtime = docker ? RuntimeKind.Docker : RuntimeKind.Bwrap,
            Image = docker ? options.Image : null,
            Resources = options.Resources,
            Network = options.Network,
        });
        _sandboxes[record.Id] = state;
        if (state.Info.ExpiresAt is { } at)
            _ = ExpireAsync(record.Id, at - DateTimeOffset.UtcNow, state.Expiry.Token);
        return WithStatus(state);
    }

    /// <inheritdoc />
    public Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        Task.FromResult(WithStatus(State(sandboxId)));

    /// <summary>Every sandbox made through this backend.</summary>
    public IReadOnlyList<SandboxInfo> ListSandboxes() => [.. _sandboxes.Values.Select(WithStatus)];

    /// <inheritdoc />
    public async Task<SandboxInfo> StartSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var state = State(sandboxId);
        if (EngineStateOf(sandboxId) == EngineState.Running)
            return WithStatus(state);
        await Guard(() => _manager.StartAsync(sandboxId, cancellationToken)).ConfigureAwait(false);
        state.Info = state.Info with { StartedAt = DateTimeOffset.UtcNow };
        return WithStatus(state);
    }

    /// <inheritdoc />
    public async Task<SandboxInfo> StopSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var state = State(sandboxId);
        if (EngineStateOf(sandboxId) != EngineState.Running)
            return WithStatus(state);
        await Guard(() => _manager.StopAsync(sandboxId, cancellationToken)).ConfigureAwait(false);
        await CloseSessionsAsync(sandboxId, remove: false).ConfigureAwait(false);
        ForgetProcesses(sandboxId);
        state.Info = state.Info with { StoppedAt = DateTimeOffset.UtcNow };
        return WithStatus(state);
    }

    /// <inheritdoc />
    public async Task DestroySandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var state = State(sandboxId);
        await Guard(() => _manager.DestroyAsync(sandboxId, cancellationToken)).ConfigureAwait(false);
        await CloseSessionsAsync(sandboxId, remove: true).ConfigureAwait(false);
        ForgetProcesses(sandboxId);
        if (_sandboxes.TryRemove(sandboxId, out _))
            await state.Expiry.CancelAsync().ConfigureAwait(false);
        state.Expiry.Dispose();
    }

    /// <inheritdoc />
    public async Task<SandboxInfo> UpdateRulesAsync(string sandboxId, IReadOnlyList<Rule> rules, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var state = State(sandboxId);
        var effective = rules.Count > 0 ? rules : Presets.AgentSafe.Rules;
        var hidden = _codebases.TryGetValue(state.Info.CodebaseId, out var codebase) ? codebase.Hidden : [];
        var engineRules = effective.Concat(hidden).Select(EngineMapping.ToEngine).ToList();
        await Guard(() => _manager.UpdateRulesAsync(sandboxId, engineRules, cancellationToken)).ConfigureAwait(false);
        state.Info = state.Info with { Rules = effective };
        return WithStatus(state);
    }

    private TrackedSandbox State(string id) =>
        _sandboxes.TryGetValue(id, out var state) ? state : throw new SandboxNotFoundException($"no sandbox '{id}'", "SANDBOX_NOT_FOUND");

    private EngineState EngineStateOf(string id)
    {
        try
        {
            return _manager.Get(id).State;
        }
        catch (Engine.SandboxNotFoundException)
        {
            throw new SandboxNotFoundException($"no sandbox '{id}'", "SANDBOX_NOT_FOUND");
        }
    }

    private SandboxInfo WithStatus(TrackedSandbox state) =>
        state.Info with
        {
            Status = EngineStateOf(state.Info.Id) switch
                {
                EngineState.Created => AgentFense.SandboxStatus.Pending,
                EngineState.Running => AgentFense.SandboxStatus.Running,
                EngineState.Stopped => AgentFense.SandboxStatus.Stopped,
                _ => AgentFense.SandboxStatus.Error,
            },
        };

    private async Task ExpireAsync(string sandboxId, TimeSpan after, CancellationToken cancelled)
    {
        try
        {
            await Task.Delay(after > TimeSpan.Zero ? after : TimeSpan.Zero, cancelled).ConfigureAwait(false);
            await DestroySandboxAsync(sandboxId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (AgentFenseException)
        {
        }
    }
}
