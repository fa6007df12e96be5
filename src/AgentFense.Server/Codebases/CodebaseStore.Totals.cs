using AgentFense.SandboxFs.Delta;

namespace AgentFense.Server.Codebases;

internal sealed partial class CodebaseStore
{
    // One writer of any tree at a time: a change is measured before and after under it, so two changes
    // never count the same entry twice. Held for a rename or a commit, never for a transfer.
    private readonly SemaphoreSlim _treeGate = new(1, 1);

    /// <summary>
    /// Runs <paramref name="commit"/> (a sandbox's delta written into codebase <paramref name="id"/>) and
    /// updates the totals by what changed under the <paramref name="pending"/> paths: each is measured before
    /// and after, so only the changed subtrees are walked. When the commit applied a path outside them (the
    /// delta grew between listing and committing) the whole tree is counted again instead.
    /// </summary>
    public async Task<CommitResult> CommitDeltaAsync(string id, IReadOnlyList<string> pending, Func<Task<CommitResult>> commit, CancellationToken cancellationToken)
    {
        var root = PathOf(id);
        var tops = TopMost(pending);
        await _treeGate.WaitAsync(cancellationToken);
        try
        {
            var before = MeasureAll(root, tops);
            var result = await commit();
            if (result.Applied.Count == 0)
                return result;
            if (result.Applied.All(change => IsCovered(tops, change.Path)))
                AddTotals(id, MeasureAll(root, tops) - before);
            else
            {
                // Rare: the delta grew between listing and committing, so what changed is not known; count it all.
                var totals = TreeTotals.Measure(root);
                _metadata.UpdateCodebaseTotals(id, totals.Size, totals.Count, DateTimeOffset.UtcNow);
            }
            return result;
        }
        finally
        {
            _treeGate.Release();
        }
    }

    private void AddTotals(string id, TreeTotals change) => _metadata.AddCodebaseTotals(id, change.Size, change.Count, DateTimeOffset.UtcNow);

    /// <summary>The paths of <paramref name="paths"/> that are not under another of them.</summary>
    private static HashSet<string> TopMost(IEnumerable<string> paths)
    {
        var tops = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths.OrderBy(p => p.Length))
        {
            if (!IsCovered(tops, path))
                tops.Add(path);
        }
        return tops;
    }

    /// <summary>True when <paramref name="path"/> or one of its ancestors is in <paramref name="tops"/>.</summary>
    private static bool IsCovered(HashSet<string> tops, string path)
    {
        if (tops.Contains("") || tops.Contains(path))
            return true;
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            if (tops.Contains(path[..slash]))
                return true;
        }
        return false;
    }

    private static TreeTotals MeasureAll(string root, HashSet<string> paths) =>
        paths.Aggregate(default(TreeTotals), (sum, path) => sum + TreeTotals.Measure(path.Length == 0 ? root : Path.Combine(root, path)));
}
