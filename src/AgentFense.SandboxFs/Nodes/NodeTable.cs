namespace AgentFense.SandboxFs.Nodes;

/// <summary>
/// The kernel's view of the tree: node ids, their names and parents, and lookup counts.
/// </summary>
/// <remarks>
/// Overview. Constraints: lookups run on several threads at once; a rename of a directory changes the
/// path of every node beneath it; the kernel may forget a node at any time after its last lookup.
/// Scheme: one short lock guards the tables; each node caches its path stamped with a rename epoch, and a
/// directory rename bumps the epoch so stale paths are rebuilt lazily from the parent chain on next use
/// instead of walking the subtree at rename time.
/// </remarks>
internal sealed class NodeTable
{
    /// <summary>The root's node id (fixed by the FUSE protocol).</summary>
    public const ulong RootId = 1;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Node> _byId = [];
    private readonly Dictionary<(ulong Parent, string Name), Node> _byName = [];
    private ulong _nextId = RootId + 1;
    private long _pathEpoch;

    public NodeTable()
    {
        Root = new Node(RootId, null, "", isDirectory: true) { LookupCount = 1, CachedPath = "", PathEpoch = long.MaxValue };
        _byId[RootId] = Root;
    }

    public Node Root { get; }

    public int Count
    {
        get
        {
            lock (_lock)
                return _byId.Count;
        }
    }

    public Node? Get(ulong id)
    {
        lock (_lock)
            return _byId.GetValueOrDefault(id);
    }

    /// <summary>Every node now known (for invalidating them all).</summary>
    public Node[] Snapshot()
    {
        lock (_lock)
            return [.. _byId.Values];
    }

    /// <summary>The node for <paramref name="name"/> in <paramref name="parent"/>, created if new; adds one lookup.</summary>
    public Node Remember(Node parent, string name, bool isDirectory)
    {
        lock (_lock)
        {
            if (!_byName.TryGetValue((parent.Id, name), out var node))
            {
                node = new Node(_nextId++, parent, name, isDirectory);
                _byId[node.Id] = node;
                _byName[(parent.Id, name)] = node;
            }
            node.IsDirectory = isDirectory;
            node.LookupCount++;
            return node;
        }
    }

    /// <summary>The node for a name, if the kernel knows it.</summary>
    public Node? Find(Node parent, string name)
    {
        lock (_lock)
            return _byName.GetValueOrDefault((parent.Id, name));
    }

    /// <summary>Takes back lookups; a node at zero is dropped.</summary>
    public void Forget(ulong id, ulong count)
    {
        lock (_lock)
        {
            if (id == RootId || !_byId.TryGetValue(id, out var node))
                return;
            node.LookupCount -= (long)Math.Min(count, (ulong)long.MaxValue);
            if (node.LookupCount > 0)
                return;
            _byId.Remove(id);
            RemoveKeyIfOwned(node.Parent, node.Name, node);
            foreach (var (parent, name) in node.Aliases ?? [])
                RemoveKeyIfOwned(parent, name, node);
        }
    }

    /// <summary>
    /// Gives <paramref name="node"/> one more name (a hard link made through the mount) and one more lookup:
    /// the kernel then sees one inode with two names, as it would natively.
    /// </summary>
    public void AddAlias(Node node, Node parent, string name)
    {
        lock (_lock)
        {
            if (_byName.Remove((parent.Id, name), out var previous) && previous != node)
                DropName(previous, parent, name);
            _byName[(parent.Id, name)] = node;
            (node.Aliases ??= []).Add((parent, name));
            node.LookupCount++;
        }
    }

    /// <summary>Detaches the node at a name (after unlink/rmdir or being replaced by a rename).</summary>
    public void Detach(Node parent, string name)
    {
        lock (_lock)
        {
            if (_byName.Remove((parent.Id, name), out var node))
                DropName(node, parent, name);
        }
    }

    // A node that loses its primary name carries on under one of its aliases, if it has any.
    private static void DropName(Node node, Node parent, string name)
    {
        if (node.Parent == parent && node.Name == name)
        {
            if (node.Aliases is { Count: > 0 } aliases)
            {
                (node.Parent, node.Name) = aliases[0];
                aliases.RemoveAt(0);
                node.PathEpoch = -1;
            }
            return;
        }
        node.Aliases?.Remove((parent, name));
    }

    private void RemoveKeyIfOwned(Node? parent, string name, Node node)
    {
        if (parent is not null && _byName.TryGetValue((parent.Id, name), out var current) && current == node)
            _byName.Remove((parent.Id, name));
    }

    // Renames one name of a node, primary or alias.
    private static void Rename(Node node, Node parent, string name, Node newParent, string newName)
    {
        if (node.Parent == parent && node.Name == name)
        {
            node.Parent = newParent;
            node.Name = newName;
            node.PathEpoch = -1;
            return;
        }
        if (node.Aliases is { } aliases && aliases.IndexOf((parent, name)) is var i and >= 0)
            aliases[i] = (newParent, newName);
    }

    /// <summary>Moves the node at (parent, name) to (newParent, newName); with <paramref name="exchange"/>, swaps two nodes.</summary>
    public void Move(Node parent, string name, Node newParent, string newName, bool exchange)
    {
        lock (_lock)
        {
            _byName.Remove((parent.Id, name), out var moving);
            _byName.Remove((newParent.Id, newName), out var target);
            if (target is not null && !exchange && target != moving)
                DropName(target, newParent, newName);
            if (moving is not null)
            {
                Rename(moving, parent, name, newParent, newName);
                _byName[(newParent.Id, newName)] = moving;
            }
            if (exchange && target is not null)
            {
                Rename(target, newParent, newName, parent, name);
                _byName[(parent.Id, name)] = target;
            }
            // Only a moved directory changes other nodes' paths.
            if (moving?.IsDirectory == true || (exchange && target?.IsDirectory == true))
                _pathEpoch++;
        }
    }

    /// <summary>The node's path relative to the root, "" for the root.</summary>
    public string PathOf(Node node)
    {
        lock (_lock)
            return PathOfLocked(node);
    }

    /// <summary>The path of child <paramref name="name"/> of <paramref name="parent"/>.</summary>
    public string ChildPath(Node parent, string name)
    {
        var parentPath = PathOf(parent);
        return parentPath.Length == 0 ? name : parentPath + "/" + name;
    }

    private string PathOfLocked(Node node)
    {
        if (node.Parent is null)
            return "";
        if (node.PathEpoch == _pathEpoch && node.CachedPath is not null)
            return node.CachedPath;
        var parentPath = PathOfLocked(node.Parent);
        node.CachedPath = parentPath.Length == 0 ? node.Name : parentPath + "/" + node.Name;
        node.PathEpoch = _pathEpoch;
        return node.CachedPath;
    }
}
