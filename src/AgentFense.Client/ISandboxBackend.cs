namespace AgentFense;

/// <summary>
/// What the high-level <see cref="Sandbox"/> runs on: a server (<see cref="RemoteBackend"/>) or the in-process
/// engine (<c>AgentFense.Embedded</c>). Every implementation raises the SDK's <see cref="AgentFenseException"/>
/// subclasses with the meanings the server gives them, so code written against one works against the other.
/// </summary>
public interface ISandboxBackend : IAsyncDisposable
{
    /// <summary>A short description for messages: the endpoint, or "embedded".</summary>
    string Description { get; }

    /// <summary>
    /// A codebase holding the files of <paramref name="directory"/> that <paramref name="include"/> accepts
    /// (a path relative to the directory, '/'-separated, and whether it is a directory): uploaded to a server,
    /// or used in place by the embedded engine (which hides what is not included).
    /// </summary>
    Task<CodebaseInfo> CreateCodebaseFromDirectoryAsync(string directory, string name, Func<string, bool, bool> include,
        IProgress<UploadProgress>? progress, CancellationToken cancellationToken);

    /// <summary>The codebase <paramref name="codebaseId"/>.</summary>
    Task<CodebaseInfo> GetCodebaseAsync(string codebaseId, CancellationToken cancellationToken);

    /// <summary>Deletes the codebase <paramref name="codebaseId"/> (its sandboxes must be gone).</summary>
    Task DeleteCodebaseAsync(string codebaseId, CancellationToken cancellationToken);

    /// <summary>Creates a pending sandbox over <paramref name="codebaseId"/>.</summary>
    Task<SandboxInfo> CreateSandboxAsync(string codebaseId, SandboxOptions options, CancellationToken cancellationToken);

    /// <summary>The sandbox <paramref name="sandboxId"/>.</summary>
    Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Starts the sandbox (mount and box); a running one is returned as it is.</summary>
    Task<SandboxInfo> StartSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Stops the sandbox, keeping its delta.</summary>
    Task<SandboxInfo> StopSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Destroys the sandbox and its delta.</summary>
    Task DestroySandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Replaces the sandbox's rules (at once on a running sandbox).</summary>
    Task<SandboxInfo> UpdateRulesAsync(string sandboxId, IReadOnlyList<Rule> rules, CancellationToken cancellationToken);

    /// <summary>Runs a command to its end; any exit code is a result.</summary>
    Task<CommandResult> ExecAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken);

    /// <summary>Runs a command, yielding output as it comes; the last item carries the exit.</summary>
    IAsyncEnumerable<OutputChunk> ExecStreamAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken);

    /// <summary>Starts a command whose stdin the caller writes (<see cref="CommandOptions.Stdin"/> is sent first when set).</summary>
    Task<IRunningCommand> StartCommandAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken);

    /// <summary>Starts a persistent shell (default <c>/bin/bash</c>) with <paramref name="env"/> added to the box's environment.</summary>
    Task<SessionInfo> CreateSessionAsync(string sandboxId, string? shell, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken);

    /// <summary>Runs a command in the session's shell (its directory and variables persist).</summary>
    Task<CommandResult> SessionExecAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Runs a command in the session's shell, yielding output as it comes.</summary>
    IAsyncEnumerable<OutputChunk> SessionExecStreamAsync(string sessionId, string command, TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Ends the session's shell.</summary>
    Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The sessions of the sandbox.</summary>
    Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Reads a file through the sandbox's policy view.</summary>
    Task<byte[]> ReadFileAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a file through the policy view (into the delta).</summary>
    Task<FileEntry> WriteFileAsync(string sandboxId, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Lists a directory of the policy view (hidden entries are absent).</summary>
    Task<IReadOnlyList<FileEntry>> ListFilesAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Describes a path of the policy view.</summary>
    Task<FileEntry> StatFileAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Removes a file or an empty directory through the policy view.</summary>
    Task DeleteFileAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>The sandbox's delta against its codebase.</summary>
    Task<IReadOnlyList<FileChange>> GetChangesAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Writes the delta into the codebase and empties it.</summary>
    Task<CommitOutcome> CommitAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Empties the delta.</summary>
    Task DiscardAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Writes the delta as a tar stream (whiteouts for deletions) to <paramref name="output"/>.</summary>
    Task ExportAsync(string sandboxId, Stream output, CancellationToken cancellationToken);

    /// <summary>The refusals the running sandbox's view kept, oldest first.</summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(string sandboxId, int limit, CancellationToken cancellationToken);

    /// <summary>Starts a background process.</summary>
    Task<ProcessInfo> StartProcessAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken);

    /// <summary>The background process <paramref name="processId"/>.</summary>
    Task<ProcessInfo> GetProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken);

    /// <summary>The sandbox's background processes.</summary>
    Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>A background process's output from the given offsets on.</summary>
    Task<ProcessOutput> ReadProcessOutputAsync(string sandboxId, string processId, long stdoutOffset, long stderrOffset, CancellationToken cancellationToken);

    /// <summary>Waits until the process ends, or <paramref name="timeout"/> passes (then it is returned still running).</summary>
    Task<ProcessInfo> WaitProcessAsync(string sandboxId, string processId, TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Sends a signal to the process's group.</summary>
    Task<ProcessInfo> SignalProcessAsync(string sandboxId, string processId, int signal, CancellationToken cancellationToken);

    /// <summary>Kills the process if it runs and forgets it and its output.</summary>
    Task DeleteProcessAsync(string sandboxId, string processId, CancellationToken cancellationToken);
}
