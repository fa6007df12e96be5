using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Nodes;

namespace AgentFense.SandboxFs.Handles;

/// <summary>
/// One open directory: the visible entries, read once per pass (at open and on every rewind to offset 0),
/// so offsets stay stable while the directory changes underneath.
/// </summary>
internal sealed class OpenDirectory(Node node)
{
    public Node Node { get; } = node;

    /// <summary>The visible entries of the current pass; replaced whole on rewind.</summary>
    public List<DirectoryEntry> Entries { get; set; } = [];

    /// <summary>st_ino of "." and ".." for this pass.</summary>
    public (ulong Dot, ulong DotDot) DotInodes { get; set; }
}
