using System.Text;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse.Tests;

/// <summary>
/// An in-memory filesystem for mount tests: directories, regular files, symlinks, hard links, xattrs, and
/// files that can be backed by a host file for passthrough. Every operation takes one lock; fine for tests.
/// </summary>
internal sealed class MemFs : FuseFileSystem
{
    private const uint SIfMt = 0xF000, SIfDir = 0x4000, SIfReg = 0x8000, SIfLnk = 0xA000;

    private readonly object _lock = new();
    private readonly Dictionary<ulong, Node> _nodes = new();
    private readonly Dictionary<ulong, Node> _handles = new();
    private ulong _nextId = 2;
    private ulong _nextFh = 1;
    private int _readCalls;

    public MemFs()
    {
        _nodes[1] = new Node { Id = 1, Mode = SIfDir | 0x1ED, NLink = 2, Children = new(), Parent = 1 };
    }

    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>READ requests that reached us (passthrough reads do not).</summary>
    public int ReadCalls => Volatile.Read(ref _readCalls);

    public FuseConnectionInfo? Connection { get; private set; }

    public bool Destroyed { get; private set; }

    /// <summary>Set when a READ of a file named "slow" starts; that read waits for FUSE_INTERRUPT.</summary>
    public ManualResetEventSlim SlowReadStarted { get; } = new(false);

    public ManualResetEventSlim SlowReadInterrupted { get; } = new(false);

    public ulong AddFile(ulong parent, string name, string content, string? backingPath = null)
    {
        lock (_lock)
        {
            var node = NewNode(SIfReg | 0x1A4);
            node.Data = Encoding.UTF8.GetBytes(content);
            node.Size = node.Data.Length;
            node.BackingPath = backingPath;
            if (backingPath is not null)
                node.Size = new FileInfo(backingPath).Length;
            Attach(_nodes[parent], name, node);
            return node.Id;
        }
    }

    public ulong AddDirectory(ulong parent, string name)
    {
        lock (_lock)
        {
            var node = NewNode(SIfDir | 0x1ED);
            node.Children = new();
            node.NLink = 2;
            Attach(_nodes[parent], name, node);
            return node.Id;
        }
    }

    /// <summary>Changes content behind the kernel's back (as a codebase change would).</summary>
    public void SetContent(ulong nodeId, string content)
    {
        lock (_lock)
        {
            var node = _nodes[nodeId];
            node.Data = Encoding.UTF8.GetBytes(content);
            node.Size = node.Data.Length;
        }
    }

    /// <summary>Points a node at another host file (as a copy-up would).</summary>
    public void SetBackingPath(ulong nodeId, string? path)
    {
        lock (_lock)
            _nodes[nodeId].BackingPath = path;
    }

    /// <summary>Removes a name behind the kernel's back.</summary>
    public ulong RemoveName(ulong parent, string name)
    {
        lock (_lock)
        {
            var dir = _nodes[parent];
            var id = dir.Children![name];
            dir.Children.Remove(name);
            _nodes[id].NLink--;
            return id;
        }
    }

    public ulong LookupCount(ulong nodeId)
    {
        lock (_lock)
            return _nodes[nodeId].Lookups;
    }

    public override void Init(FuseConnectionInfo connection) => Connection = connection;

    public override void Destroy() => Destroyed = true;

    public override Errno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry)
    {
        entry = default;
        lock (_lock)
        {
            if (!TryDir(ctx.NodeId, out var dir, out var err))
                return err;
            if (!dir.Children!.TryGetValue(Encoding.UTF8.GetString(name), out var id))
                return Errno.ENOENT;
            entry = Entry(_nodes[id]);
            return Errno.Success;
        }
    }

    public override void Forget(ulong nodeId, ulong nlookup)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(nodeId, out var node))
                node.Lookups -= Math.Min(node.Lookups, nlookup);
        }
    }

    public override Errno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr)
    {
        attr = default;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(ctx.NodeId, out var node))
                return Errno.ENOENT;
            Fill(node, ref attr.Attr);
            attr.SetAttrTimeout(AttrTimeout);
            return Errno.Success;
        }
    }

    public override Errno SetAttr(in FuseContext ctx, in FuseSetAttrIn input, out FuseAttrOut attr)
    {
        attr = default;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(ctx.NodeId, out var node))
                return Errno.ENOENT;
            if ((input.Valid & SetAttrValid.Mode) != 0)
                node.Mode = (node.Mode & SIfMt) | (input.Mode & 0xFFF);
            if ((input.Valid & SetAttrValid.Uid) != 0)
                node.Uid = input.Uid;
            if ((input.Valid & SetAttrValid.Gid) != 0)
                node.Gid = input.Gid;
            if ((input.Valid & SetAttrValid.Size) != 0)
                Resize(node, (long)input.Size);
            if ((input.Valid & SetAttrValid.MTime) != 0)
                node.MTime = (long)input.MTime;
            if ((input.Valid & SetAttrValid.MTimeNow) != 0)
                node.MTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Fill(node, ref attr.Attr);
            attr.SetAttrTimeout(AttrTimeout);
            return Errno.Success;
        }
    }

    public override Errno ReadLink(in FuseContext ctx, Span<byte> target, out int length)
    {
        length = 0;
        lock (_lock)
        {
            var node = _nodes[ctx.NodeId];
            if (node.Target is null)
                return Errno.EINVAL;
            length = Encoding.UTF8.GetBytes(node.Target, target);
            return Errno.Success;
        }
    }

    public override Errno Symlink(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out FuseEntryOut entry)
    {
        entry = default;
        lock (_lock)
        {
            if (!TryNewName(ctx.NodeId, name, out var dir, out var err))
                return err;
            var node = NewNode(SIfLnk | 0x1FF);
            node.Target = Encoding.UTF8.GetString(target);
            node.Size = target.Length;
            Attach(dir, Encoding.UTF8.GetString(name), node);
            entry = Entry(node);
            return Errno.Success;
        }
    }

    public override Errno MkNod(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint rdev, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        if ((mode & SIfMt) != SIfReg)
            return Errno.EPERM;
        lock (_lock)
        {
            if (!TryNewName(ctx.NodeId, name, out var dir, out var err))
                return err;
            var node = NewNode(mode & ~umask);
            node.Uid = ctx.Uid;
            node.Gid = ctx.Gid;
            Attach(dir, Encoding.UTF8.GetString(name), node);
            entry = Entry(node);
            return Errno.Success;
        }
    }

    public override Errno MkDir(in FuseContext ctx, ReadOnlySpan<byte> name, uint mode, uint umask, out FuseEntryOut entry)
    {
        entry = default;
        lock (_lock)
        {
            if (!TryNewName(ctx.NodeId, name, out var dir, out var err))
                return err;
            var node = NewNode(SIfDir | (mode & ~umask & 0xFFF));
            node.Children = new();
            node.NLink = 2;
            node.Uid = ctx.Uid;
            node.Gid = ctx.Gid;
            Attach(dir, Encoding.UTF8.GetString(name), node);
            dir.NLink++;
            entry = Entry(node);
            return Errno.Success;
        }
    }

    public override Errno Unlink(in FuseContext ctx, ReadOnlySpan<byte> name) => Remove(ctx.NodeId, name, directory: false);

    public override Errno RmDir(in FuseContext ctx, ReadOnlySpan<byte> name) => Remove(ctx.NodeId, name, directory: true);

    public override Errno Rename(in FuseContext ctx, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
    {
        lock (_lock)
        {
            if (!TryDir(ctx.NodeId, out var from, out var err) || !TryDir(newParent, out var to, out err))
                return err;
            string oldKey = Encoding.UTF8.GetString(name), newKey = Encoding.UTF8.GetString(newName);
            if (!from.Children!.TryGetValue(oldKey, out var id))
                return Errno.ENOENT;
            bool exists = to.Children!.TryGetValue(newKey, out var targetId);
            if ((flags & RenameFlags.Exchange) != 0)
            {
                if (!exists)
                    return Errno.ENOENT;
                from.Children[oldKey] = targetId;
                to.Children[newKey] = id;
                return Errno.Success;
            }
            if (exists)
            {
                if ((flags & RenameFlags.NoReplace) != 0)
                    return Errno.EEXIST;
                var target = _nodes[targetId];
                if (target.Children is { Count: > 0 })
                    return Errno.ENOTEMPTY;
                target.NLink--;
            }
            from.Children.Remove(oldKey);
            to.Children[newKey] = id;
            _nodes[id].Parent = newParent;
            return Errno.Success;
        }
    }

    public override Errno Link(in FuseContext ctx, ulong oldNodeId, ReadOnlySpan<byte> newName, out FuseEntryOut entry)
    {
        entry = default;
        lock (_lock)
        {
            if (!TryNewName(ctx.NodeId, newName, out var dir, out var err))
                return err;
            var node = _nodes[oldNodeId];
            node.NLink++;
            dir.Children![Encoding.UTF8.GetString(newName)] = node.Id;
            entry = Entry(node);
            return Errno.Success;
        }
    }

    public override Errno Open(in FuseContext ctx, int flags, ref FuseOpenReply reply)
    {
        lock (_lock)
        {
            var node = _nodes[ctx.NodeId];
            if ((flags & 0x200) != 0) // O_TRUNC (ATOMIC_O_TRUNC negotiated)
                Resize(node, 0);
            reply.Fh = _nextFh++;
            _handles[reply.Fh] = node;
            if (node.Name == "slow")
                reply.Flags |= FopenFlags.DirectIo; // synchronous reads, so the reader's signal becomes FUSE_INTERRUPT
            if (node.BackingPath is not null)
                reply.BackingFile = File.OpenHandle(node.BackingPath, FileMode.Open, (flags & 3) == 0 ? FileAccess.Read : FileAccess.ReadWrite);
            return Errno.Success;
        }
    }

    public override Errno Read(in FuseContext ctx, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
    {
        Interlocked.Increment(ref _readCalls);
        bytesRead = 0;
        Node node;
        lock (_lock)
            node = _handles[fh];
        if (node.Name == "slow")
            return WaitForInterrupt(in ctx);
        lock (_lock)
        {
            if (node.BackingPath is not null)
            {
                using var host = File.OpenHandle(node.BackingPath);
                bytesRead = RandomAccess.Read(host, buffer, offset);
                return Errno.Success;
            }
            if (offset >= node.Size)
                return Errno.Success;
            bytesRead = (int)Math.Min(buffer.Length, node.Size - offset);
            node.Data.AsSpan((int)offset, bytesRead).CopyTo(buffer);
            return Errno.Success;
        }
    }

    private Errno WaitForInterrupt(in FuseContext ctx)
    {
        SlowReadStarted.Set();
        for (int i = 0; i < 1000 && !ctx.IsInterrupted; i++)
            Thread.Sleep(10);
        if (!ctx.IsInterrupted)
            return Errno.EIO;
        SlowReadInterrupted.Set();
        return Errno.EINTR;
    }

    public override Errno Write(in FuseContext ctx, ulong fh, long offset, ReadOnlySpan<byte> data, uint writeFlags, out int bytesWritten)
    {
        lock (_lock)
        {
            var node = _handles[fh];
            if (offset + data.Length > node.Size)
                Resize(node, offset + data.Length);
            data.CopyTo(node.Data.AsSpan((int)offset));
            bytesWritten = data.Length;
            return Errno.Success;
        }
    }

    public override Errno StatFs(in FuseContext ctx, out FuseKStatFs stats)
    {
        stats = new FuseKStatFs { Blocks = 1 << 20, BFree = 1 << 19, BAvail = 1 << 19, Files = 1 << 16, FFree = 1 << 15, BSize = 4096, FrSize = 4096, NameLen = 255 };
        return Errno.Success;
    }

    public override Errno Release(in FuseContext ctx, ulong fh, int flags, uint releaseFlags)
    {
        lock (_lock)
            _handles.Remove(fh);
        return Errno.Success;
    }

    public override Errno Flush(in FuseContext ctx, ulong fh, ulong lockOwner) => Errno.Success;

    public override Errno Fsync(in FuseContext ctx, ulong fh, bool dataOnly) => Errno.Success;

    public override Errno ReadDir(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) =>
        ListDirectory(in ctx, offset, ref writer);

    public override Errno ReadDirPlus(in FuseContext ctx, ulong fh, ulong offset, ref FuseDirEntryWriter writer) =>
        ListDirectory(in ctx, offset, ref writer);

    private Errno ListDirectory(in FuseContext ctx, ulong offset, ref FuseDirEntryWriter writer)
    {
        lock (_lock)
        {
            if (!TryDir(ctx.NodeId, out var dir, out var err))
                return err;
            var names = new List<(string Name, Node Node)> { (".", dir), ("..", _nodes[dir.Parent]) };
            names.AddRange(dir.Children!.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, _nodes[c.Value])));
            for (int i = (int)offset; i < names.Count; i++)
            {
                var (name, node) = names[i];
                var bytes = Encoding.UTF8.GetBytes(name);
                bool added;
                if (writer.IsPlus)
                {
                    bool dot = name is "." or "..";
                    var entry = dot ? new FuseEntryOut() : Entry(node, countLookup: false);
                    if (dot)
                        Fill(node, ref entry.Attr);
                    added = writer.TryAddPlus(bytes, in entry, (ulong)i + 1);
                    if (added && !dot)
                        node.Lookups++;
                }
                else
                {
                    added = writer.TryAdd(bytes, node.Id, node.Mode, (ulong)i + 1);
                }
                if (!added)
                    break;
            }
            return Errno.Success;
        }
    }

    public override Errno Access(in FuseContext ctx, uint mask) => Errno.Success;

    public override Errno Create(in FuseContext ctx, ReadOnlySpan<byte> name, int flags, uint mode, uint umask, out FuseEntryOut entry, ref FuseOpenReply reply)
    {
        entry = default;
        lock (_lock)
        {
            if (!TryNewName(ctx.NodeId, name, out var dir, out var err))
                return err;
            var node = NewNode(SIfReg | (mode & ~umask & 0xFFF));
            node.Uid = ctx.Uid;
            node.Gid = ctx.Gid;
            Attach(dir, Encoding.UTF8.GetString(name), node);
            entry = Entry(node);
            reply.Fh = _nextFh++;
            _handles[reply.Fh] = node;
            return Errno.Success;
        }
    }

    public override Errno GetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, Span<byte> value, out int size)
    {
        size = 0;
        lock (_lock)
        {
            if (!_nodes[ctx.NodeId].XAttrs.TryGetValue(Encoding.UTF8.GetString(name), out var data))
                return Errno.ENODATA;
            size = data.Length;
            if (value.IsEmpty)
                return Errno.Success;
            if (value.Length < data.Length)
                return Errno.ERANGE;
            data.CopyTo(value);
            return Errno.Success;
        }
    }

    public override Errno ListXAttr(in FuseContext ctx, Span<byte> list, out int size)
    {
        lock (_lock)
        {
            var all = Encoding.UTF8.GetBytes(string.Concat(_nodes[ctx.NodeId].XAttrs.Keys.Select(k => k + "\0")));
            size = all.Length;
            if (list.IsEmpty)
                return Errno.Success;
            if (list.Length < all.Length)
                return Errno.ERANGE;
            all.CopyTo(list);
            return Errno.Success;
        }
    }

    public override Errno SetXAttr(in FuseContext ctx, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        lock (_lock)
        {
            var xattrs = _nodes[ctx.NodeId].XAttrs;
            string key = Encoding.UTF8.GetString(name);
            if ((flags & 1) != 0 && xattrs.ContainsKey(key))
                return Errno.EEXIST;
            if ((flags & 2) != 0 && !xattrs.ContainsKey(key))
                return Errno.ENODATA;
            xattrs[key] = value.ToArray();
            return Errno.Success;
        }
    }

    public override Errno RemoveXAttr(in FuseContext ctx, ReadOnlySpan<byte> name)
    {
        lock (_lock)
            return _nodes[ctx.NodeId].XAttrs.Remove(Encoding.UTF8.GetString(name)) ? Errno.Success : Errno.ENODATA;
    }

    private Errno Remove(ulong parent, ReadOnlySpan<byte> name, bool directory)
    {
        lock (_lock)
        {
            if (!TryDir(parent, out var dir, out var err))
                return err;
            string key = Encoding.UTF8.GetString(name);
            if (!dir.Children!.TryGetValue(key, out var id))
                return Errno.ENOENT;
            var node = _nodes[id];
            bool isDir = node.Children is not null;
            if (directory && !isDir)
                return Errno.ENOTDIR;
            if (!directory && isDir)
                return Errno.EISDIR;
            if (isDir && node.Children!.Count > 0)
                return Errno.ENOTEMPTY;
            dir.Children.Remove(key);
            node.NLink = isDir ? 0 : node.NLink - 1;
            if (isDir)
                dir.NLink--;
            return Errno.Success;
        }
    }

    private Node NewNode(uint mode)
    {
        var node = new Node { Id = _nextId++, Mode = mode, NLink = 1, MTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        _nodes[node.Id] = node;
        return node;
    }

    private static void Attach(Node dir, string name, Node node)
    {
        dir.Children![name] = node.Id;
        node.Parent = dir.Id;
        node.Name = name;
    }

    private bool TryDir(ulong id, out Node dir, out Errno err)
    {
        err = Errno.Success;
        if (!_nodes.TryGetValue(id, out dir!))
            err = Errno.ENOENT;
        else if (dir.Children is null)
            err = Errno.ENOTDIR;
        return err == Errno.Success;
    }

    private bool TryNewName(ulong parent, ReadOnlySpan<byte> name, out Node dir, out Errno err)
    {
        if (!TryDir(parent, out dir, out err))
            return false;
        if (dir.Children!.ContainsKey(Encoding.UTF8.GetString(name)))
        {
            err = Errno.EEXIST;
            return false;
        }
        return true;
    }

    private static void Resize(Node node, long size)
    {
        if (size > node.Data.Length)
            Array.Resize(ref node.Data, (int)Math.Max(size, node.Data.Length * 2L));
        else if (size < node.Size)
            node.Data.AsSpan((int)size, (int)(node.Size - size)).Clear();
        node.Size = size;
    }

    private FuseEntryOut Entry(Node node, bool countLookup = true)
    {
        var entry = new FuseEntryOut { NodeId = node.Id, Generation = 1 };
        Fill(node, ref entry.Attr);
        entry.SetEntryTimeout(EntryTimeout);
        entry.SetAttrTimeout(AttrTimeout);
        if (countLookup)
            node.Lookups++;
        return entry;
    }

    private static void Fill(Node node, ref FuseAttr attr)
    {
        attr.Ino = node.Id;
        attr.Size = (ulong)node.Size;
        attr.Blocks = (ulong)(node.Size + 511) / 512;
        attr.Mode = node.Mode;
        attr.NLink = node.NLink;
        attr.Uid = node.Uid;
        attr.Gid = node.Gid;
        attr.ATime = attr.MTime = attr.CTime = (ulong)node.MTime;
        attr.BlkSize = 4096;
    }

    private sealed class Node
    {
        public ulong Id;
        public ulong Parent;
        public string Name = "";
        public uint Mode;
        public uint NLink;
        public uint Uid;
        public uint Gid;
        public long MTime;
        public long Size;
        public byte[] Data = [];
        public Dictionary<string, ulong>? Children;
        public string? Target;
        public string? BackingPath;
        public ulong Lookups;
        public Dictionary<string, byte[]> XAttrs = new();
    }
}
