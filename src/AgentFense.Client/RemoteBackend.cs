using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using AgentFense.Internal;
using AgentFense.Remote;
using Google.Protobuf.WellKnownTypes;
using static AgentFense.Remote.WireMapping;

namespace AgentFense;

/// <summary>The <see cref="ISandboxBackend"/> of a server, over a <see cref="SandboxClient"/>.</summary>
public sealed class RemoteBackend : ISandboxBackend
{
    private readonly bool _ownsClient;

    /// <summary>A backend over <paramref name="client"/>; <paramref name="ownsClient"/>: dispose it with the backend.</summary>
    public RemoteBackend(SandboxClient client, bool ownsClient = false)
    {
        Client = client;
        _ownsClient = ownsClient;
    }

    /// <summary>The low-level client.</summary>
    public SandboxClient Client { get; }

    /// <inheritdoc />
    public string Description => Client.Endpoint;

    /// <inheritdoc />
    public async Task<CodebaseInfo> CreateCodebaseFromDirectoryAsync(string directory, string name, Func<string, bool, bool> include,
        IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        var files = LocalTree.Files(directory, include).Select(f => UploadItem.FromFile(f.RelativePath, f.FullPath)).ToList();
        var codebase = await Client.CreateCodebaseAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            if (files.Count > 0)
                await UploadAsync(codebase.Id, files, progress, cancellationToken).ConfigureAwait(false);
            return FromWire(await Client.GetCodebaseAsync(codebase.Id, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            try
            {
                await Client.DeleteCodebaseAsync(codebase.Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AgentFenseException)
            {
                // The upload's own error is the one to raise.
            }
            throw;
        }
    }

    /// <summary>One UploadTree stream; a server of the original contract (UNIMPLEMENTED) gets one UploadFiles stream per file.</summary>
    private async Task UploadAsync(string codebaseId, IReadOnlyCollection<UploadItem> files, IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await Client.UploadTreeAsync(codebaseId, files, progress, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (AgentFenseException e) when (e.StatusCode == Grpc.Core.StatusCode.Unimplemented)
        {
        }
        var total = files.Sum(f => f.Size);
        long before = 0;
        var done = 0;
        foreach (var file in files)
        {
            await using var content = file.Open();
            var start = before;
            var current = file.Path;
            await Client.UploadFileAsync(codebaseId, file.Path, content, file.Size,
                progress is null ? null : new Relay(sent => progress.Report(new UploadProgress(done, files.Count, start + sent, total, current))),
                cancellationToken).ConfigureAwait(false);
            before += file.Size;
            done++;
            progress?.Report(new UploadProgress(done, files.Count, before, total, done == files.Count ? null : current));
        }
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to a context).</summary>
    private sealed class Relay(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <inheritdoc />
    public async Task<CodebaseInfo> GetCodebaseAsync(string codebaseId, CancellationToken cancellationToken) =>
        FromWire(await Client.GetCodebaseAsync(codebaseId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public Task DeleteCodebaseAsync(string codebaseId, CancellationToken cancellationToken) => Client.DeleteCodebaseAsync(codebaseId, cancellationToken);

    /// <inheritdoc />
    public async Task<SandboxInfo> CreateSandboxAsync(string codebaseId, SandboxOptions options, CancellationToken cancellationToken) =>
        FromWire(await Client.CreateSandboxAsync(ToCreateRequest(codebaseId, options), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        FromWire(await Client.GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<SandboxInfo> StartSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        FromWire(await Client.StartSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<SandboxInfo> StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        FromWire(await Client.StopSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public Task DestroySandboxAsync(string sandboxId, CancellationToken cancellationToken) => Client.DestroySandboxAsync(sandboxId, cancellationToken);

    /// <inheritdoc />
    public async Task<SandboxInfo> UpdateRulesAsync(string sandboxId, IReadOnlyList<Rule> rules, CancellationToken cancellationToken) =>
        FromWire(await Client.UpdateSandboxRulesAsync(sandboxId, rules.Select(ToWire), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<CommandResult> ExecAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return FromWire(await Client.ExecAsync(ToExecRequest(sandboxId, command, options), cancellationToken).ConfigureAwait(false));
        }
        catch (CommandTimeoutException e)
        {
            throw new CommandTimeoutException(e.Message, e.Reason, e) { Command = command };
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OutputChunk> ExecStreamAsync(string sandboxId, string command, CommandOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var output in Client.ExecStreamAsync(ToExecRequest(sandboxId, command, options), cancellationToken).ConfigureAwait(false))
            yield return FromWire(output);
    }

    /// <inheritdoc />
    public async Task<IRunningCommand> StartCommandAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken)
    {
        var request = ToExecRequest(sandboxId, command, options with { Stdin = null, StdinBytes = null });
        var interactive = await Client.ExecInteractiveAsync(request, cancellationToken).ConfigureAwait(false);
        var running = new RemoteRunningCommand(interactive);
        if (options.StdinBytes is { } bytes)
            await running.WriteStdinAsync(bytes).ConfigureAwait(false);
        else if (options.Stdin is { Length: > 0 } text)
            await running.WriteStdinAsync(System.Text.Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        return running;
    }

    /// <inheritdoc />
    public async Task<SessionInfo> CreateSessionAsync(string sandboxId, string? shell, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) =>
        FromWire(await Client.CreateSessionAsync(sandboxId, shell, env, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<CommandResult> SessionExecAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        FromWire(await Client.SessionExecAsync(SessionRequest(sessionId, command, timeout), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async IAsyncEnumerable<OutputChunk> SessionExecStreamAsync(string sessionId, string command, TimeSpan? timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var output in Client.SessionExecStreamAsync(SessionRequest(sessionId, command, timeout), cancellationToken).ConfigureAwait(false))
            yield return FromWire(output);
    }

    /// <inheritdoc />
    public Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken) => Client.DestroySessionAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string sandboxId, CancellationToken cancellationToken) =>
        [.. (await Client.ListSessionsAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Sessions.Select(FromWire)];

    /// <inheritdoc />
    public async Task<byte[]> ReadFileAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        (await Client.ReadSandboxFileAsync(sandboxId, path, cancellationToken).ConfigureAwait(false)).Content.ToByteArray();

    /// <inheritdoc />
    public async Task<FileEntry> WriteFileAsync(string sandboxId, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        FromWire(await Client.WriteSandboxFileAsync(sandboxId, path, content, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<IReadOnlyList<FileEntry>> ListFilesAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        [.. (await Client.ListSandboxFilesAsync(sandboxId, path, cancellationToken).ConfigureAwait(false)).Files.Select(FromWire)];

    /// <inheritdoc />
    public async Task<FileEntry> StatFileAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        FromWire(await Client.StatSandboxFileAsync(sandboxId, path, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public Task DeleteFileAsync(string sandboxId, string path, CancellationToken cancellationToken) => Client.DeleteSandboxFileAsync(sandboxId, path, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<FileChange>> GetChangesAsync(string sandboxId, CancellationToken cancellationToken) =>
        [.. (await Client.GetSandboxChangesAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Changes.Select(FromWire)];

    /// <inheritdoc />
    public async Task<CommitOutcome> CommitAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var response = await Client.CommitSandboxChangesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return new CommitOutcome([.. response.Applied.Select(FromWire)], [.. response.Conflicts.Select(FromWire)]);
    }

    /// <inheritdoc />
    public Task DiscardAsync(string sandboxId, CancellationToken cancellationToken) => Client.DiscardSandboxChangesAsync(sandboxId, cancellationToken);

    /// <inheritdoc />
    public Task ExportAsync(string sandboxId, Stream output, CancellationToken cancellationToken) => Client.ExportSandboxChangesAsync(sandboxId, output, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(string sandboxId, int limit, CancellationToken cancellationToken) =>
        [.. (await Client.GetSandboxAuditAsync(sandboxId, limit, cancellationToken).ConfigureAwait(false)).Entries.Select(FromWire)];

    /// <inheritdoc />
    public async Task<ProcessInfo> StartProcessAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken)
    {
        var request = new StartProcessRequest { SandboxId = sandboxId, Command = command, Workdir = options.WorkingDirectory ?? "" };
        foreach (var (key, value) in options.Env)
            request.Env[key] = value;
        if (options.Timeout is { } timeout)
            request.Timeout = Duration.FromTimeSpan(timeout);
        if (options.StdinBytes is { } bytes)
            request.Stdin = Google.Protobuf.ByteString.CopyFrom(bytes.Span);
        else if (options.Stdin is { } text)
            request.Stdin = Google.Protobuf.ByteString.CopyFromUtf8(text);
        return FromWire(await Client.StartProcessAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<ProcessInfo> GetProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) =>
        FromWire(await Client.GetProcessAsync(sandboxId, processId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        [.. (await Client.ListProcessesAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Processes.Select(FromWire)];

    /// <inheritdoc />
    public async Task<ProcessOutput> ReadProcessOutputAsync(string sandboxId, string processId, long stdoutOffset, long stderrOffset, CancellationToken cancellationToken)
    {
        var r = await Client.ReadProcessOutputAsync(sandboxId, processId, stdoutOffset, stderrOffset, 0, cancellationToken).ConfigureAwait(false);
        return new ProcessOutput(r.Stdout.Memory, r.Stderr.Memory, r.StdoutOffset, r.StderrOffset, r.Eof, FromWire(r.Process));
    }

    /// <inheritdoc />
    public async Task<ProcessInfo> WaitProcessAsync(string sandboxId, string processId, TimeSpan? timeout, CancellationToken cancellationToken) =>
        FromWire(await Client.WaitProcessAsync(sandboxId, processId, timeout, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<ProcessInfo> SignalProcessAsync(string sandboxId, string processId, int signal, CancellationToken cancellationToken) =>
        FromWire(await Client.SignalProcessAsync(sandboxId, processId, signal, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public Task DeleteProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) =>
        Client.DeleteProcessAsync(sandboxId, processId, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
            Client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static SessionExecRequest SessionRequest(string sessionId, string command, TimeSpan? timeout)
    {
        var request = new SessionExecRequest { SessionId = sessionId, Command = command };
        if (timeout is { } t)
            request.Timeout = Duration.FromTimeSpan(t);
        return request;
    }
}
