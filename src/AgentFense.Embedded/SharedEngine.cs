using System.Runtime.CompilerServices;

namespace AgentFense.Embedded;

/// <summary>
/// The process's in-process engine for <see cref="Sandbox"/> when no server is configured: started with the
/// first sandbox, shared by all, stopped when the last one is disposed (so nothing outlives its sandboxes).
/// Referencing AgentFense.Embedded is all it takes; <see cref="Options"/> changes how the next engine starts.
/// </summary>
public static class SharedEngine
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static EmbeddedBackend? s_backend;
    private static int s_leases;

    /// <summary>How the shared engine starts (init path, data directory); read when it starts.</summary>
    public static EmbeddedOptions Options { get; set; } = new();

    /// <summary>A lease on the shared engine: dispose it to release (the last release stops the engine).</summary>
    public static async Task<ISandboxBackend> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await s_gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            s_backend ??= await EmbeddedBackend.StartAsync(Options, cancellationToken).ConfigureAwait(false);
            s_leases++;
            return new Lease(s_backend);
        }
        finally
        {
            s_gate.Release();
        }
    }

    private static async Task ReleaseAsync()
    {
        await s_gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (--s_leases > 0 || s_backend is null)
                return;
            var backend = s_backend;
            s_backend = null;
            await backend.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            s_gate.Release();
        }
    }

#pragma warning disable CA2255 // The SDK loads this assembly on demand and runs its initializer to find the engine.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        Internal.Registration.Register((_, cancellationToken) => AcquireAsync(cancellationToken));

    /// <summary>The shared backend, released once when disposed.</summary>
    private sealed class Lease(EmbeddedBackend backend) : ISandboxBackend
    {
        private int _released;

        public string Description => backend.Description;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? new ValueTask(ReleaseAsync()) : ValueTask.CompletedTask;

        public Task<CodebaseInfo> CreateCodebaseFromDirectoryAsync(string directory, string name, Func<string, bool, bool> include, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) => backend.CreateCodebaseFromDirectoryAsync(directory, name, include, progress, cancellationToken);
        public Task<CodebaseInfo> GetCodebaseAsync(string codebaseId, CancellationToken cancellationToken) => backend.GetCodebaseAsync(codebaseId, cancellationToken);
        public Task DeleteCodebaseAsync(string codebaseId, CancellationToken cancellationToken) => backend.DeleteCodebaseAsync(codebaseId, cancellationToken);
        public Task<SandboxInfo> CreateSandboxAsync(string codebaseId, SandboxOptions options, CancellationToken cancellationToken) => backend.CreateSandboxAsync(codebaseId, options, cancellationToken);
        public Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) => backend.GetSandboxAsync(sandboxId, cancellationToken);
        public Task<SandboxInfo> StartSandboxAsync(string sandboxId, CancellationToken cancellationToken) => backend.StartSandboxAsync(sandboxId, cancellationToken);
        public Task<SandboxInfo> StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) => backend.StopSandboxAsync(sandboxId, cancellationToken);
        public Task DestroySandboxAsync(string sandboxId, CancellationToken cancellationToken) => backend.DestroySandboxAsync(sandboxId, cancellationToken);
        public Task<SandboxInfo> UpdateRulesAsync(string sandboxId, IReadOnlyList<Rule> rules, CancellationToken cancellationToken) => backend.UpdateRulesAsync(sandboxId, rules, cancellationToken);
        public Task<CommandResult> ExecAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) => backend.ExecAsync(sandboxId, command, options, cancellationToken);
        public IAsyncEnumerable<OutputChunk> ExecStreamAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) => backend.ExecStreamAsync(sandboxId, command, options, cancellationToken);
        public Task<IRunningCommand> StartCommandAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) => backend.StartCommandAsync(sandboxId, command, options, cancellationToken);
        public Task<SessionInfo> CreateSessionAsync(string sandboxId, string? shell, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) => backend.CreateSessionAsync(sandboxId, shell, env, cancellationToken);
        public Task<CommandResult> SessionExecAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken) => backend.SessionExecAsync(sessionId, command, timeout, cancellationToken);
        public IAsyncEnumerable<OutputChunk> SessionExecStreamAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken) => backend.SessionExecStreamAsync(sessionId, command, timeout, cancellationToken);
        public Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken) => backend.DestroySessionAsync(sessionId, cancellationToken);
        public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string sandboxId, CancellationToken cancellationToken) => backend.ListSessionsAsync(sandboxId, cancellationToken);
        public Task<byte[]> ReadFileAsync(string sandboxId, string path, CancellationToken cancellationToken) => backend.ReadFileAsync(sandboxId, path, cancellationToken);
        public Task<FileEntry> WriteFileAsync(string sandboxId, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => backend.WriteFileAsync(sandboxId, path, content, cancellationToken);
        public Task<IReadOnlyList<FileEntry>> ListFilesAsync(string sandboxId, string path, CancellationToken cancellationToken) => backend.ListFilesAsync(sandboxId, path, cancellationToken);
        public Task<FileEntry> StatFileAsync(string sandboxId, string path, CancellationToken cancellationToken) => backend.StatFileAsync(sandboxId, path, cancellationToken);
        public Task DeleteFileAsync(string sandboxId, string path, CancellationToken cancellationToken) => backend.DeleteFileAsync(sandboxId, path, cancellationToken);
        public Task<IReadOnlyList<FileChange>> GetChangesAsync(string sandboxId, CancellationToken cancellationToken) => backend.GetChangesAsync(sandboxId, cancellationToken);
        public Task<CommitOutcome> CommitAsync(string sandboxId, CancellationToken cancellationToken) => backend.CommitAsync(sandboxId, cancellationToken);
        public Task DiscardAsync(string sandboxId, CancellationToken cancellationToken) => backend.DiscardAsync(sandboxId, cancellationToken);
        public Task ExportAsync(string sandboxId, Stream output, CancellationToken cancellationToken) => backend.ExportAsync(sandboxId, output, cancellationToken);
        public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(string sandboxId, int limit, CancellationToken cancellationToken) => backend.GetAuditAsync(sandboxId, limit, cancellationToken);
        public Task<ProcessInfo> StartProcessAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) => backend.StartProcessAsync(sandboxId, command, options, cancellationToken);
        public Task<ProcessInfo> GetProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) => backend.GetProcessAsync(sandboxId, processId, cancellationToken);
        public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) => backend.ListProcessesAsync(sandboxId, cancellationToken);
        public Task<ProcessOutput> ReadProcessOutputAsync(string sandboxId, string processId, long stdoutOffset, long stderrOffset, CancellationToken cancellationToken) => backend.ReadProcessOutputAsync(sandboxId, processId, stdoutOffset, stderrOffset, cancellationToken);
        public Task<ProcessInfo> WaitProcessAsync(string sandboxId, string processId, TimeSpan? timeout, CancellationToken cancellationToken) => backend.WaitProcessAsync(sandboxId, processId, timeout, cancellationToken);
        public Task<ProcessInfo> SignalProcessAsync(string sandboxId, string processId, int signal, CancellationToken cancellationToken) => backend.SignalProcessAsync(sandboxId, processId, signal, cancellationToken);
        public Task DeleteProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken) => backend.DeleteProcessAsync(sandboxId, processId, cancellationToken);
    }
}
