using System.Collections.Concurrent;
using AgentFense.Embedded.Internal;
using AgentFense.Init.Protocol;
using static AgentFense.Embedded.Internal.EngineErrors;
using EngineProcessInfo = AgentFense.Init.Protocol.ProcessInfo;

namespace AgentFense.Embedded;

public sealed partial class EmbeddedBackend
{
    private readonly ConcurrentDictionary<(string Sandbox, string Process), ProcessEntry> _processes = new();

    /// <summary>What init does not keep of a background process: its times.</summary>
    private sealed class ProcessEntry(uint initId, string command, DateTimeOffset startedAt)
    {
        public uint InitId { get; } = initId;

        public string Command { get; } = command;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset? EndedAt { get; set; }
    }

    /// <inheritdoc />
    public Task<ProcessInfo> StartProcessAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var box = RunningBox(sandboxId);
            var exec = EngineMapping.ToExec(command, options, box.Environment);
            var started = await _manager.StartBackgroundAsync(sandboxId, exec, cancellationToken).ConfigureAwait(false);
            var entry = new ProcessEntry(started.Id, command, DateTimeOffset.UtcNow);
            _processes[(sandboxId, started.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))] = entry;
            return ToInfo(sandboxId, entry, new EngineProcessInfo(started.Id, started.Pid, ProcessState.Running, command, default));
        });

    /// <inheritdoc />
    public Task<ProcessInfo> GetProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var entry = Process(sandboxId, processId);
            return ToInfo(sandboxId, entry, await InitInfoAsync(sandboxId, entry, processId, cancellationToken).ConfigureAwait(false));
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<ProcessInfo>>(async () =>
        {
            var box = RunningBox(sandboxId);
            var listed = await box.Client.ListProcessesAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<ProcessInfo>();
            foreach (var info in listed)
            {
                if (_processes.TryGetValue((sandboxId, info.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var entry))
                    result.Add(ToInfo(sandboxId, entry, info));
            }
            return result;
        });

    /// <inheritdoc />
    public Task<ProcessOutput> ReadProcessOutputAsync(string sandboxId, string processId, long stdoutOffset, long stderrOffset, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            if (stdoutOffset < 0 || stderrOffset < 0)
                throw new InvalidArgumentException("offsets may not be negative", "INVALID_ARGUMENT");
            var entry = Process(sandboxId, processId);
            var client = RunningBox(sandboxId).Client;
            // The state first: output read after it has ended is complete.
            var info = await InitInfoAsync(sandboxId, entry, processId, cancellationToken).ConfigureAwait(false);
            var stdout = await client.ReadProcessOutputAsync(entry.InitId, Init.Protocol.OutputStream.Stdout, stdoutOffset, 1024 * 1024, cancellationToken).ConfigureAwait(false);
            var stderr = await client.ReadProcessOutputAsync(entry.InitId, Init.Protocol.OutputStream.Stderr, stderrOffset, 1024 * 1024, cancellationToken).ConfigureAwait(false);
            var nextOut = stdout.Offset + stdout.Data.Length;
            var nextErr = stderr.Offset + stderr.Data.Length;
            var eof = info.State == ProcessState.Exited && nextOut >= stdout.Total && nextErr >= stderr.Total;
            return new ProcessOutput(stdout.Data, stderr.Data, nextOut, nextErr, eof, ToInfo(sandboxId, entry, info));
        });

    /// <inheritdoc />
    public Task<ProcessInfo> WaitProcessAsync(string sandboxId, string processId, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            if (timeout < TimeSpan.Zero)
                throw new InvalidArgumentException("timeout may not be negative", "INVALID_ARGUMENT");
            var entry = Process(sandboxId, processId);
            var client = RunningBox(sandboxId).Client;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout is { } t && t > TimeSpan.Zero)
                limit.CancelAfter(t);
            try
            {
                await client.WaitProcessAsync(entry.InitId, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The timeout passed: the process is returned still running.
            }
            return ToInfo(sandboxId, entry, await InitInfoAsync(sandboxId, entry, processId, cancellationToken).ConfigureAwait(false));
        });

    /// <inheritdoc />
    public Task<ProcessInfo> SignalProcessAsync(string sandboxId, string processId, int signal, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            if (signal is <= 0 or > 64)
                throw new InvalidArgumentException($"signal {signal} is not a signal number", "INVALID_ARGUMENT");
            var entry = Process(sandboxId, processId);
            await RunningBox(sandboxId).Client.SignalAsync(entry.InitId, signal).ConfigureAwait(false);
            return ToInfo(sandboxId, entry, await InitInfoAsync(sandboxId, entry, processId, cancellationToken).ConfigureAwait(false));
        });

    /// <inheritdoc />
    public Task DeleteProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var entry = Process(sandboxId, processId);
            await RunningBox(sandboxId).Client.ReleaseProcessAsync(entry.InitId, cancellationToken).ConfigureAwait(false);
            _processes.TryRemove((sandboxId, processId), out _);
        });

    private ProcessEntry Process(string sandboxId, string processId)
    {
        State(sandboxId);
        return _processes.TryGetValue((sandboxId, processId), out var entry) ? entry
            : throw new ProcessNotFoundException($"no process '{processId}' in sandbox '{sandboxId}'", "PROCESS_NOT_FOUND");
    }

    private async Task<EngineProcessInfo> InitInfoAsync(string sandboxId, ProcessEntry entry, string processId, CancellationToken cancellationToken)
    {
        var listed = await RunningBox(sandboxId).Client.ListProcessesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var info in listed)
        {
            if (info.Id == entry.InitId)
                return info;
        }
        _processes.TryRemove((sandboxId, processId), out _);
        throw new ProcessNotFoundException($"no process '{processId}' in sandbox '{sandboxId}'", "PROCESS_NOT_FOUND");
    }

    private static ProcessInfo ToInfo(string sandboxId, ProcessEntry entry, EngineProcessInfo info)
    {
        var exited = info.State == ProcessState.Exited;
        if (exited)
            entry.EndedAt ??= DateTimeOffset.UtcNow;
        return new ProcessInfo
        {
            Id = entry.InitId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SandboxId = sandboxId,
            Command = entry.Command,
            IsRunning = !exited,
            Pid = info.Pid,
            ExitCode = exited ? info.Exit.ShellExitCode : null,
            StartedAt = entry.StartedAt,
            EndedAt = entry.EndedAt,
        };
    }

    /// <summary>A stopped sandbox's processes ended with its box.</summary>
    private void ForgetProcesses(string sandboxId)
    {
        foreach (var key in _processes.Keys.Where(k => k.Sandbox == sandboxId).ToList())
            _processes.TryRemove(key, out _);
    }
}
