using AgentFense.SandboxFs.Delta;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>What the sandbox changed against its codebase (added, modified, deleted, with sizes), running or not.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="IOException">The delta could not be read.</exception>
    public Task<IReadOnlyList<DeltaChange>> ListChangesAsync(string id, CancellationToken cancellationToken = default) =>
        WithOverlayAsync<IReadOnlyList<DeltaChange>>(id, invalidate: false, overlay =>
        {
            var changes = new List<DeltaChange>();
            Check(overlay.ListChanges(changes), "listing the changes", id);
            return changes;
        }, cancellationToken);

    /// <summary>
    /// Writes the sandbox's changes into its codebase and empties its delta (last writer wins; conflicts are
    /// reported). A running sandbox should be idle: writes through files its commands hold open are not seen.
    /// </summary>
    /// <exception cref="IOException">Writing the codebase failed; what was applied stays applied and the delta is kept.</exception>
    public Task<CommitResult> CommitAsync(string id, CancellationToken cancellationToken = default) =>
        WithOverlayAsync(id, invalidate: true, overlay =>
        {
            Check(overlay.Commit(out var result), "committing the delta", id);
            return result;
        }, cancellationToken);

    /// <summary>Empties the sandbox's delta: its view is the codebase again.</summary>
    public Task DiscardAsync(string id, CancellationToken cancellationToken = default) =>
        WithOverlayAsync(id, invalidate: true, overlay =>
        {
            Check(overlay.Discard(), "discarding the delta", id);
            return true;
        }, cancellationToken);

    /// <summary>Writes the sandbox's delta as a tar stream (whiteouts for deletions) to <paramref name="output"/>.</summary>
    public Task ExportAsync(string id, Stream output, CancellationToken cancellationToken = default) =>
        WithOverlayAsync(id, invalidate: false, overlay =>
        {
            Check(overlay.ExportTar(output), "exporting the delta", id);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> under the sandbox's gate on the running mount's overlay, or on one opened
    /// for the call when the sandbox is not running; then drops the kernel's caches of the view if asked.
    /// </summary>
    private async Task<T> WithOverlayAsync<T>(string id, bool invalidate, Func<DeltaOverlay, T> action, CancellationToken cancellationToken)
    {
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Destroyed)
                throw new SandboxNotFoundException(id);
            var spec = Get(id).Spec;
            var mount = entry.Mount;
            var overlay = mount?.FileSystem.Overlay ?? new DeltaOverlay(spec.CodebasePath, DeltaPath(id), spec.DeltaSizeLimit);
            try
            {
                return action(overlay);
            }
            finally
            {
                if (invalidate)
                    mount?.FileSystem.InvalidateAll();
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private static void Check(Errno errno, string what, string id)
    {
        if (errno != Errno.Success)
            throw new IOException($"sandbox {id}: {what} failed: {errno}");
    }
}
