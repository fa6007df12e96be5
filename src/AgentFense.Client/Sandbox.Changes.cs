namespace AgentFense;

public sealed partial class Sandbox
{
    /// <summary>What the sandbox changed against its codebase (its delta): review it before <see cref="CommitAsync"/>.</summary>
    public Task<IReadOnlyList<FileChange>> DiffAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.GetChangesAsync(Id, cancellationToken);
    }

    /// <summary>
    /// Writes the delta into the codebase and empties it (in embedded mode over a local directory: into that
    /// directory). Conflicts — paths the codebase changed meanwhile — are reported; the sandbox's version wins.
    /// </summary>
    public Task<CommitOutcome> CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.CommitAsync(Id, cancellationToken);
    }

    /// <summary>Throws the delta away: the sandbox sees its codebase again.</summary>
    public Task DiscardAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.DiscardAsync(Id, cancellationToken);
    }

    /// <summary>Writes the delta as a tar stream (deletions as <c>.wh.</c> whiteouts) to <paramref name="output"/>.</summary>
    public Task ExportAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.ExportAsync(Id, output, cancellationToken);
    }

    /// <summary>Writes the delta as a tar file at <paramref name="tarPath"/>.</summary>
    public async Task ExportAsync(string tarPath, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(tarPath, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await ExportAsync(file, cancellationToken).ConfigureAwait(false);
    }
}
