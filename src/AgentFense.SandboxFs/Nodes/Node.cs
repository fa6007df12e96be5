using AgentFense.Policy;

namespace AgentFense.SandboxFs.Nodes;

/// <summary>
/// One name the kernel knows (it holds a lookup count on it). Holds no file descriptor: the host file is
/// found by path each time, so a repository larger than the descriptor limit can be served.
/// Mutable fields are guarded by the owning <see cref="NodeTable"/>'s lock.
/// </summary>
internal sealed class Node
{
    public Node(ulong id, Node? parent, string name, bool isDirectory)
    {
        Id = id;
        Parent = parent;
        Name = name;
        IsDirectory = isDirectory;
    }

    /// <summary>The FUSE node id, also shown as st_ino. Never reused within a mount.</summary>
    public ulong Id { get; }

    public Node? Parent { get; set; }

    public string Name { get; set; }

    /// <summary>Further names of this node (hard links made through the mount), besides Parent/Name.</summary>
    public List<(Node Parent, string Name)>? Aliases { get; set; }

    public bool IsDirectory { get; set; }

    /// <summary>Kernel lookups not yet forgotten.</summary>
    public long LookupCount { get; set; }

    /// <summary>The path as of <see cref="PathEpoch"/>; recomputed from the parent chain after a directory rename.</summary>
    public string? CachedPath { get; set; }

    public long PathEpoch { get; set; } = -1;

    /// <summary>The last policy decision, replaced whole (one reference write) so readers never see a torn one.</summary>
    public CachedDecision? Decision { get; set; }

    /// <summary>Open files of this node in each kernel I/O mode (the kernel refuses to mix them).</summary>
    public int PassthroughOpens { get; set; }

    public int CachedOpens { get; set; }

    /// <summary>The host file the passthrough opens are backed by (the kernel allows one per inode).</summary>
    public (ulong Device, ulong Inode) BackingFile { get; set; }

    /// <summary>Size and mtime seen at the last open, to keep the page cache only when the file is unchanged.</summary>
    public (long Size, long MTimeNs) CacheStamp { get; set; }
}

/// <summary>A decision valid for one policy epoch and one path (compared by reference: a recomputed path is a new string).</summary>
internal sealed record CachedDecision(long Epoch, string Path, PolicyDecision Decision);
