namespace AgentFense;

/// <summary>A codebase: the tree sandboxes are views of.</summary>
/// <param name="Id">Its id (<c>cb_…</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Size">Bytes of its files.</param>
/// <param name="FileCount">How many files it holds.</param>
/// <param name="ReadOnly">Used in place over a host directory: sandboxes over it cannot commit.</param>
/// <param name="HostPath">That host directory (embedded mode: the local directory itself).</param>
public sealed record CodebaseInfo(string Id, string Name, long Size, int FileCount, bool ReadOnly = false, string? HostPath = null);
