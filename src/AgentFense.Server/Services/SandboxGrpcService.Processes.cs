using AgentFense.Api.V1;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static AgentFense.Server.Services.ApiMapping;
using Empty = AgentFense.Api.V1.Empty;
using EngineExecOptions = AgentFense.Runtime.Init.ExecOptions;

namespace AgentFense.Server.Services;

/// <summary>
/// Background processes: started in a running sandbox, then read, waited for, signalled and deleted by an
/// opaque id. They live as long as the box: once the sandbox stops, their ids answer NOT_FOUND
/// (PROCESS_NOT_FOUND) and the list is empty.
/// </summary>
internal sealed partial class SandboxGrpcService
{
    /// <summary>Bytes per stream one ReadProcessOutput returns at most (also when max_bytes is 0).</summary>
    private const int MaxProcessRead = 1024 * 1024;

    /// <summary>The highest signal number Linux knows (SIGRTMAX).</summary>
    private const int MaxSignal = 64;

    public override async Task<SandboxProcess> StartProcess(StartProcessRequest request, ServerCallContext context)
    {
        Running(request.SandboxId);
        if (request.Command.Length == 0)
            throw Invalid("the command is empty");
        if (request.Stdin.Length > InitProtocol.MaxPayload / 2)
            throw Invalid($"stdin of a background process is at most {InitProtocol.MaxPayload / 2} bytes; stream larger input with ExecInteractive");
        var asExec = new Api.V1.ExecRequest { SandboxId = request.SandboxId, Command = request.Command, Workdir = request.Workdir, Timeout = request.Timeout };
        asExec.Env.Add(request.Env);
        var options = ToExecOptions(asExec) with
        {
            Stdin = request.Stdin.IsEmpty ? null : request.Stdin.Memory,
            // Only the request's own timeout: the server's default for commands would kill every long-running service.
            Timeout = request.Timeout is { } timeout && timeout.ToTimeSpan() > TimeSpan.Zero ? timeout.ToTimeSpan() : null,
        };
        var handle = await manager.StartProcessAsync(request.SandboxId, options, context.CancellationToken);
        return Processes(context).Add(request.Command, handle).Snapshot();
    }

    public override async Task<ListProcessesResponse> ListProcesses(ListProcessesRequest request, ServerCallContext context)
    {
        Current(request.SandboxId);
        var response = new ListProcessesResponse();
        var entries = Processes(context).ListOf(request.SandboxId);
        if (entries.Count == 0)
            return response;
        // Init's list tells which processes exited even where the table's watcher has not heard yet.
        IReadOnlyList<ProcessInfo> known;
        try
        {
            known = await manager.ListProcessesAsync(request.SandboxId, context.CancellationToken);
        }
        catch (Exception e) when (e is Engine.SandboxStateException or InitException or ObjectDisposedException)
        {
            // The sandbox stopped meanwhile, and its processes with it.
            return response;
        }
        var exited = known.Where(p => p.State == ProcessState.Exited).Select(p => p.Id).ToHashSet();
        foreach (var entry in entries)
        {
            if (exited.Contains(entry.Handle.Process.Id))
                await entry.Exit.WaitAsync(context.CancellationToken);
            if (entry.IsLive)
                response.Processes.Add(entry.Snapshot());
        }
        return response;
    }

    public override Task<SandboxProcess> GetProcess(GetProcessRequest request, ServerCallContext context) =>
        Task.FromResult(ProcessOf(request.SandboxId, request.ProcessId, context).Snapshot());

    public override async Task<ReadProcessOutputResponse> ReadProcessOutput(ReadProcessOutputRequest request, ServerCallContext context)
    {
        var entry = ProcessOf(request.SandboxId, request.ProcessId, context);
        if (request.StdoutOffset < 0 || request.StderrOffset < 0)
            throw Invalid("output offsets may not be negative");
        if (request.MaxBytes < 0)
            throw Invalid("max_bytes may not be negative");
        var max = request.MaxBytes == 0 ? MaxProcessRead : Math.Min(request.MaxBytes, MaxProcessRead);
        try
        {
            var stdout = await entry.Handle.ReadOutputAsync(OutputStream.Stdout, request.StdoutOffset, max, context.CancellationToken);
            var stderr = await entry.Handle.ReadOutputAsync(OutputStream.Stderr, request.StderrOffset, max, context.CancellationToken);
            if (stdout.Truncated)
                entry.NoteTruncated(OutputStream.Stdout);
            if (stderr.Truncated)
                entry.NoteTruncated(OutputStream.Stderr);
            var eof = stdout.Finished && stderr.Finished;
            // Init answered after the exit it sent the watcher: let the status say EXITED with it.
            if (eof)
                await entry.Exit.WaitAsync(context.CancellationToken);
            return new ReadProcessOutputResponse
            {
                Stdout = ByteString.CopyFrom(stdout.Data),
                Stderr = ByteString.CopyFrom(stderr.Data),
                StdoutOffset = stdout.Offset + stdout.Data.Length,
                StderrOffset = stderr.Offset + stderr.Data.Length,
                Eof = eof,
                Process = LiveSnapshot(entry),
            };
        }
        catch (InitException)
        {
            throw ProcessGone(request.ProcessId);
        }
    }

    public override async Task<SandboxProcess> WaitProcess(WaitProcessRequest request, ServerCallContext context)
    {
        var entry = ProcessOf(request.SandboxId, request.ProcessId, context);
        var timeout = request.Timeout?.ToTimeSpan() ?? TimeSpan.Zero;
        if (timeout < TimeSpan.Zero)
            throw Invalid("timeout may not be negative");
        // The wait is the table's watcher, shared: a cancelled or timed-out call leaves the process running.
        var exit = timeout > TimeSpan.Zero ? entry.Exit.WaitAsync(timeout, context.CancellationToken) : entry.Exit.WaitAsync(context.CancellationToken);
        try
        {
            await exit;
        }
        catch (TimeoutException)
        {
        }
        return LiveSnapshot(entry);
    }

    public override async Task<SandboxProcess> SignalProcess(SignalProcessRequest request, ServerCallContext context)
    {
        var entry = ProcessOf(request.SandboxId, request.ProcessId, context);
        if (request.Signal is < 1 or > MaxSignal)
            throw Invalid($"signal {request.Signal} is not a signal number (1 to {MaxSignal})");
        if (!entry.Exit.IsCompleted)
        {
            try
            {
                await entry.Handle.SignalAsync(request.Signal);
            }
            catch (InitException)
            {
                throw ProcessGone(request.ProcessId);
            }
        }
        return LiveSnapshot(entry);
    }

    public override async Task<Empty> DeleteProcess(DeleteProcessRequest request, ServerCallContext context)
    {
        var entry = ProcessOf(request.SandboxId, request.ProcessId, context);
        if (!Processes(context).Remove(entry))
            throw ProcessGone(request.ProcessId);
        try
        {
            await entry.Handle.ReleaseAsync(context.CancellationToken);
        }
        catch (InitException)
        {
            // Its box ended meanwhile, and the process with it: forgotten either way.
        }
        return new Empty();
    }

    /// <summary>The process's snapshot, or NOT_FOUND when it was deleted or its box ended meanwhile.</summary>
    private static SandboxProcess LiveSnapshot(ProcessTable.Entry entry) =>
        entry.IsLive ? entry.Snapshot() : throw ProcessGone(entry.Id);

    private ProcessTable.Entry ProcessOf(string sandboxId, string processId, ServerCallContext context)
    {
        Current(sandboxId); // another owner's sandbox is NOT_FOUND
        return Processes(context).TryGet(sandboxId, processId) ?? throw ProcessGone(processId);
    }

    private static RpcException ProcessGone(string processId) =>
        NotFound($"no process '{processId}' (deleted, or it ended with its sandbox's box)", ApiErrors.ProcessNotFound);

    /// <summary>The table is resolved per call so the service's constructor stays as it is.</summary>
    private static ProcessTable Processes(ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<ProcessTable>();

    /// <summary>
    /// The box's default environment with the request's variables added (they win), rather than instead of it:
    /// a command given only FOO=1 still finds PATH and HOME.
    /// </summary>
    private EngineExecOptions WithBoxEnvironment(string sandboxId, EngineExecOptions options, IEnumerable<string> given)
    {
        if (options.Environment.Count == 0)
            return options;
        var names = given.ToHashSet(StringComparer.Ordinal);
        var box = manager.GetBox(sandboxId);
        return options with
        {
            Environment = [.. box.Environment.Where(e => !names.Contains(e[..Math.Max(0, e.IndexOf('=', StringComparison.Ordinal))])), .. options.Environment],
        };
    }
}
