using AgentFense.Embedded.Internal;
using AgentFense.Engine.Files;
using AgentFense.SandboxFs.Delta;
using static AgentFense.Embedded.Internal.EngineErrors;
using EngineChangeKind = AgentFense.SandboxFs.Delta.ChangeKind;

namespace AgentFense.Embedded;

public sealed partial class EmbeddedBackend
{
    /// <inheritdoc />
    public Task<byte[]> ReadFileAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Guard(() => _manager.ReadFileAsync(RunningId(sandboxId), path, cancellationToken));

    /// <inheritdoc />
    public Task<FileEntry> WriteFileAsync(string sandboxId, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Guard(async () => ToEntry(await _manager.WriteFileAsync(RunningId(sandboxId), path, content, cancellationToken).ConfigureAwait(false)));

    /// <inheritdoc />
    public Task<IReadOnlyList<FileEntry>> ListFilesAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<FileEntry>>(async () =>
            [.. (await _manager.ListFilesAsync(RunningId(sandboxId), path, cancellationToken).ConfigureAwait(false)).Select(ToEntry)]);

    /// <inheritdoc />
    public Task<FileEntry> StatFileAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Guard(async () => ToEntry(await _manager.StatFileAsync(RunningId(sandboxId), path, cancellationToken).ConfigureAwait(false)));

    /// <inheritdoc />
    public Task DeleteFileAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Guard(() => _manager.DeleteFileAsync(RunningId(sandboxId), path, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<FileChange>> GetChangesAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<FileChange>>(async () =>
        {
            State(sandboxId);
            return [.. (await _manager.ListChangesAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Select(ToChange)];
        });

    /// <inheritdoc />
    public Task<CommitOutcome> CommitAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            State(sandboxId);
            var result = await _manager.CommitAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            return new CommitOutcome([.. result.Applied.Select(ToChange)], [.. result.Conflicts.Select(ToChange)]);
        });

    /// <inheritdoc />
    public Task DiscardAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            State(sandboxId);
            await _manager.DiscardAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        });

    /// <inheritdoc />
    public Task ExportAsync(string sandboxId, Stream output, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            State(sandboxId);
            await _manager.ExportAsync(sandboxId, output, cancellationToken).ConfigureAwait(false);
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(string sandboxId, int limit, CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<AuditRecord>>(() =>
        {
            State(sandboxId);
            var entries = _manager.GetAudit(sandboxId);
            var kept = limit > 0 && entries.Count > limit ? entries.Skip(entries.Count - limit) : entries;
            return Task.FromResult<IReadOnlyList<AuditRecord>>([.. kept.Select(e => new AuditRecord(e.Time, e.Operation, e.Path, (Permission)((int)e.Level + 1)))]);
        });

    /// <summary><paramref name="sandboxId"/>, checked to be a running sandbox of this backend.</summary>
    private string RunningId(string sandboxId)
    {
        State(sandboxId);
        if (EngineStateOf(sandboxId) != Engine.SandboxState.Running)
            throw new SandboxNotRunningException($"sandbox '{sandboxId}' is not running", "SANDBOX_NOT_RUNNING");
        return sandboxId;
    }

    private static FileEntry ToEntry(ViewFileInfo info) =>
        new(info.Path, info.Size, info.IsDirectory, info.IsSymlink, info.Mode, info.ModifiedAt);

    private static FileChange ToChange(DeltaChange change) => new(
        change.Path,
        change.Kind switch
        {
            EngineChangeKind.Added => AgentFense.ChangeKind.Added,
            EngineChangeKind.Modified => AgentFense.ChangeKind.Modified,
            EngineChangeKind.Deleted => AgentFense.ChangeKind.Deleted,
            _ => AgentFense.ChangeKind.Unknown,
        },
        change.Size,
        change.EntryKind == FileKind.Directory);
}
