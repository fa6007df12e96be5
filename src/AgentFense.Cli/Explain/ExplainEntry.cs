using AgentFense.Policy;

namespace AgentFense.Cli.Explain;

/// <summary>The kinds of entries explain reports.</summary>
internal enum EntryKind
{
    File,
    Directory,
    Symlink,
}

/// <summary>One path of the walked tree and the policy's decision for it.</summary>
/// <param name="Path">Relative to the walked root, '/'-separated; "" for the root.</param>
/// <param name="Name">The last segment (the root's directory name for the root).</param>
/// <param name="Depth">0 for the root.</param>
/// <param name="Kind">File, directory or symlink (links are never followed).</param>
/// <param name="Decision">The level and what decided it.</param>
/// <param name="IsLastSibling">Whether it is the last entry of its directory (for tree drawing).</param>
/// <param name="AncestorsLast">For each ancestor level, whether that ancestor was the last sibling.</param>
internal sealed record ExplainEntry(
    string Path,
    string Name,
    int Depth,
    EntryKind Kind,
    PolicyDecision Decision,
    bool IsLastSibling,
    IReadOnlyList<bool> AncestorsLast);
