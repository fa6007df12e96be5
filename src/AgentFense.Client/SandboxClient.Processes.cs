using AgentFense.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense;

public sealed partial class SandboxClient
{
    /// <summary>StartProcess: a background process whose output the box keeps.</summary>
    public Task<SandboxProcess> StartProcessAsync(StartProcessRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.StartProcessAsync(request, o), idempotent: false, cancellationToken);

    /// <summary>ListProcesses of a sandbox.</summary>
    public Task<ListProcessesResponse> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ListProcessesAsync(new ListProcessesRequest { SandboxId = sandboxId }, o), idempotent: true, cancellationToken);

    /// <summary>GetProcess.</summary>
    public Task<SandboxProcess> GetProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.GetProcessAsync(new GetProcessRequest { SandboxId = sandboxId, ProcessId = processId }, o), idempotent: true, cancellationToken);

    /// <summary>ReadProcessOutput from the given offsets on (at most <paramref name="maxBytes"/> per stream; 0: 1 MiB).</summary>
    public Task<ReadProcessOutputResponse> ReadProcessOutputAsync(string sandboxId, string processId, long stdoutOffset = 0, long stderrOffset = 0,
        int maxBytes = 0, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ReadProcessOutputAsync(new ReadProcessOutputRequest
        {
            SandboxId = sandboxId,
            ProcessId = processId,
            StdoutOffset = stdoutOffset,
            StderrOffset = stderrOffset,
            MaxBytes = maxBytes,
        }, o), idempotent: true, cancellationToken);

    /// <summary>WaitProcess: until it ends, or <paramref name="timeout"/> passes (null: no limit; cancel to stop waiting).</summary>
    public Task<SandboxProcess> WaitProcessAsync(string sandboxId, string processId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var request = new WaitProcessRequest { SandboxId = sandboxId, ProcessId = processId };
        if (timeout is { } t)
            request.Timeout = Duration.FromTimeSpan(t);
        return UnaryAsync(o => _sandboxes.WaitProcessAsync(request, o), idempotent: true, cancellationToken, timeout ?? TimeSpan.FromDays(1));
    }

    /// <summary>SignalProcess: a signal number to the process's group (2 SIGINT, 9 SIGKILL, 15 SIGTERM).</summary>
    public Task<SandboxProcess> SignalProcessAsync(string sandboxId, string processId, int signal, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.SignalProcessAsync(new SignalProcessRequest { SandboxId = sandboxId, ProcessId = processId, Signal = signal }, o), idempotent: false, cancellationToken);

    /// <summary>DeleteProcess: kills it if it runs, forgets it and its output.</summary>
    public Task<Empty> DeleteProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.DeleteProcessAsync(new DeleteProcessRequest { SandboxId = sandboxId, ProcessId = processId }, o), idempotent: false, cancellationToken);
}
