using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.Runtime.Boxes;
using AgentFense.SandboxFs;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Starts sandbox <paramref name="id"/>: mounts the policy view with its delta, then starts the box with
    /// the mount at the workspace path, and returns once the box's init is ready. Starting a running sandbox
    /// does nothing. On failure nothing of the attempt is left (the sandbox stays as it was).
    /// </summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="BoxException">The box could not start.</exception>
    public async Task<SandboxRecord> StartAsync(string id, CancellationToken cancellationToken = default)
    {
        using var operation = BeginOperation("start", id);
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Destroyed)
                throw new SandboxNotFoundException(id);
            var record = Get(id);
            if (entry.Box is not null)
            {
                operation.Succeeded();
                return record;
            }
            var (mount, box) = await MountAndStartAsync(id, record.Spec, cancellationToken).ConfigureAwait(false);
            AttachTelemetry(entry, mount, box);
            entry.Mount = mount;
            entry.Box = box;
            var running = record with { State = SandboxState.Running };
            _registry.Update(running);
            _ = box.Exited.ContinueWith(t => OnBoxExitedAsync(entry, box, t.Result), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
            operation.Succeeded();
            return running;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Stops sandbox <paramref name="id"/>: every process of its box is killed, its cgroup and mount removed; the delta is kept.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    public async Task<SandboxRecord> StopAsync(string id, CancellationToken cancellationToken = default)
    {
        using var operation = BeginOperation("stop", id);
        Entry(id);
        var stopped = await StopCoreAsync(id, cancellationToken).ConfigureAwait(false);
        operation.Succeeded();
        return stopped;
    }

    /// <summary>Destroys sandbox <paramref name="id"/>: its processes, mount, cgroup and delta are removed, and its record forgotten.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    public async Task DestroyAsync(string id, CancellationToken cancellationToken = default)
    {
        using var operation = BeginOperation("destroy", id);
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Destroyed)
                throw new SandboxNotFoundException(id);
            await TearDownAsync(entry).ConfigureAwait(false);
            var delta = DeltaPath(id);
            if (Directory.Exists(delta))
                Directory.Delete(delta, recursive: true);
            entry.Destroyed = true;
            _registry.Remove(id);
            _entries.TryRemove(id, out _);
            operation.Succeeded();
            OnDestroyed(id);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<SandboxRecord> StopCoreAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryGetValue(id, out var entry))
            throw new SandboxNotFoundException(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Destroyed)
                throw new SandboxNotFoundException(id);
            await TearDownAsync(entry).ConfigureAwait(false);
            var record = Get(id);
            if (record.State != SandboxState.Running)
                return record;
            var stopped = record with { State = SandboxState.Stopped };
            _registry.Update(stopped);
            return stopped;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<(SandboxMount Mount, Box Box)> MountAndStartAsync(string id, SandboxSpec spec, CancellationToken cancellationToken)
    {
        var matcher = PolicyMatcher.Compile(spec.Rules);
        var mountPoint = MountPath(id);
        if (FuseMounts.IsStale(mountPoint))
            FuseMounts.ClearStale(mountPoint);
        Directory.CreateDirectory(mountPoint);
        SandboxMount mount;
        try
        {
            mount = SandboxMount.Mount(spec.CodebasePath, mountPoint, DeltaPath(id), matcher, new SandboxFsOptions
            {
                DeltaSizeLimit = spec.DeltaSizeLimit,
                // What the policy lets the box user write, the mode bits must let it write too.
                PresentedOwner = (spec.Uid, spec.Gid),
                Log = _options.Log is { } log ? line => log($"sandbox {id}: {line}") : null,
            });
        }
        catch
        {
            TryRemoveEmptyDirectory(mountPoint);
            throw;
        }
        try
        {
            using var boxSpan = AgentFense.Runtime.Diagnostics.RuntimeTracing.StartBox(id);
            var box = await RuntimeFor(spec).StartAsync(new BoxSpec
            {
                Id = id,
                WorkspaceHostPath = mount.MountPoint,
                WorkspacePath = spec.WorkspacePath,
                InitPath = _options.InitPath,
                Uid = spec.Uid,
                Gid = spec.Gid,
                Environment = spec.Environment,
                Limits = spec.Limits,
                Network = spec.Network,
                Image = spec.Image,
            }, cancellationToken).ConfigureAwait(false);
            return (mount, box);
        }
        catch
        {
            mount.Dispose();
            TryRemoveEmptyDirectory(mountPoint);
            throw;
        }
    }

    /// <summary>Stops the box, then unmounts; the caller holds the gate.</summary>
    private async Task TearDownAsync(SandboxEntry entry)
    {
        var box = entry.Box;
        var mount = entry.Mount;
        entry.Box = null;
        entry.Mount = null;
        DetachTelemetry(entry);
        try
        {
            if (box is not null)
                await box.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            mount?.Dispose();
            TryRemoveEmptyDirectory(MountPath(entry.Id));
        }
    }

    /// <summary>A box that ended on its own (init killed, OOM, bwrap died) leaves its sandbox stopped, its mount removed.</summary>
    private async Task OnBoxExitedAsync(SandboxEntry entry, Box box, BoxExit exit)
    {
        if (exit.Stopped)
            return;
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(entry.Box, box) || entry.Destroyed)
                return;
            Log($"sandbox {entry.Id}: its box ended on its own (exit {exit.ExitCode}, {exit.OomKills} OOM kill(s)); stopping it");
            await TearDownAsync(entry).ConfigureAwait(false);
            if (_registry.TryGet(entry.Id, out var record))
                _registry.Update(record with { State = SandboxState.Stopped });
        }
        catch (Exception e)
        {
            Log($"sandbox {entry.Id}: cleaning up after its box ended failed: {e.Message}");
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
