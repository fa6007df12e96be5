using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Nodes;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>The policy gate: levels of nodes and paths, refusals and their audit, and entry replies.</summary>
public sealed partial class SandboxFileSystem
{
    private PolicyDecision DecisionOf(Node node, string path)
    {
        var epoch = Volatile.Read(ref _policyEpoch);
        var cached = node.Decision;
        if (cached is not null && cached.Epoch == epoch && ReferenceEquals(cached.Path, path))
            return cached.Decision;
        var decision = node.Id == NodeTable.RootId
            ? Volatile.Read(ref _policy).Decide("", isDirectory: true)
            : Volatile.Read(ref _policy).Decide(path, node.IsDirectory);
        node.Decision = new CachedDecision(epoch, path, decision);
        return decision;
    }

    private PolicyDecision DecisionOf(string path, bool isDirectory) =>
        Volatile.Read(ref _policy).Decide(path, isDirectory);

    /// <summary>
    /// Success when <paramref name="decision"/> grants <paramref name="needed"/>; otherwise records the refusal
    /// and answers ENOENT for a hidden path, EACCES for a visible one.
    /// </summary>
    private FuseErrno Gate(PolicyDecision decision, Permission needed, string operation, string path)
    {
        if (decision.Permission >= needed)
            return FuseErrno.Success;
        RecordRefusal(operation, path, decision);
        return decision.Permission == Permission.None ? FuseErrno.ENOENT : FuseErrno.EACCES;
    }

    /// <summary>Audits and counts one refusal, naming the rule that decided it.</summary>
    private void RecordRefusal(string operation, string path, PolicyDecision decision)
    {
        // The index is into the policy that decided; a concurrent rules update may have swapped it since.
        var rules = Volatile.Read(ref _policy).Rules;
        var rule = decision.Source == DecisionSource.Rule && (uint)decision.RuleIndex < (uint)rules.Count ? rules[decision.RuleIndex] : null;
        Audit.Record(operation, path, decision.Permission, decision.RuleIndex, rule);
        Diagnostics.SandboxFsMetrics.RecordRefusal(decision.Permission, operation);
    }

    /// <summary>Resolves a request's node and its path; ENOENT for a node the kernel should no longer hold.</summary>
    private FuseErrno Resolve(ulong nodeId, out Node node, out string path)
    {
        var found = _nodes.Get(nodeId);
        if (found is null)
        {
            node = _nodes.Root;
            path = "";
            return FuseErrno.ENOENT;
        }
        node = found;
        path = _nodes.PathOf(found);
        return FuseErrno.Success;
    }

    /// <summary>Resolves a node that must still be visible, then checks it grants <paramref name="needed"/>.</summary>
    private FuseErrno ResolveAllowed(ulong nodeId, Permission needed, string operation, out Node node, out string path)
    {
        var rc = Resolve(nodeId, out node, out path);
        return rc != FuseErrno.Success ? rc : Gate(DecisionOf(node, path), needed, operation, path);
    }

    private void FillAttr(Node node, in EntryAttributes a, out FuseAttr attr)
    {
        attr = default;
        attr.Ino = InodeNumber(a);
        attr.Size = (ulong)a.Size;
        attr.Blocks = (ulong)a.Blocks;
        attr.ATime = (ulong)a.AccessTime.Seconds;
        attr.ATimeNsec = (uint)a.AccessTime.Nanoseconds;
        attr.MTime = (ulong)a.ModifyTime.Seconds;
        attr.MTimeNsec = (uint)a.ModifyTime.Nanoseconds;
        attr.CTime = (ulong)a.ChangeTime.Seconds;
        attr.CTimeNsec = (uint)a.ChangeTime.Nanoseconds;
        attr.Mode = a.Mode;
        attr.NLink = a.LinkCount;
        (attr.Uid, attr.Gid) = _options.PresentedOwner ?? (a.Uid, a.Gid);
        attr.RDev = (uint)a.RDev;
        attr.BlkSize = a.BlockSize;
    }

    /// <summary>
    /// st_ino is the host file's inode, so hard links read as one file (<c>test f -ef g</c>, <c>find</c>, <c>tar</c>).
    /// When the delta lives on another file system than the codebase, the delta's numbers get the top bit so
    /// they cannot collide with the codebase's. (A file's number changes when it is copied up, as on overlayfs.)
    /// </summary>
    private ulong InodeNumber(in EntryAttributes a) =>
        a.Layer == Layer.Upper && _layersOnDifferentDevices ? a.Inode | (1UL << 63) : a.Inode;

    private void FillEntry(Node node, in EntryAttributes a, out FuseEntryOut entry)
    {
        entry = default;
        entry.NodeId = node.Id;
        entry.SetEntryTimeout(_options.EntryTimeout);
        entry.SetAttrTimeout(_options.AttrTimeout);
        FillAttr(node, a, out entry.Attr);
    }

    private void FillAttrOut(Node node, in EntryAttributes a, out FuseAttrOut attr)
    {
        attr = default;
        attr.SetAttrTimeout(_options.AttrTimeout);
        FillAttr(node, a, out attr.Attr);
    }

    /// <summary>A cached absence, when the bounded list of absences to invalidate later has room.</summary>
    private void Negative(Node parent, string name, out FuseEntryOut entry)
    {
        entry = default;
        if (_negatives.TryAdd(parent.Id, name))
            entry.SetEntryTimeout(_options.NegativeTimeout);
    }

    /// <summary>Stats a new child and hands the kernel an entry for it (one lookup).</summary>
    private FuseErrno Entry(Node parent, string name, string path, out FuseEntryOut entry)
    {
        entry = default;
        var rc = E(_overlay.GetAttributes(path, out var attributes));
        if (rc != FuseErrno.Success)
            return rc;
        var node = _nodes.Remember(parent, name, attributes.Kind == FileKind.Directory);
        _negatives.Remove(parent.Id, name);
        FillEntry(node, attributes, out entry);
        return FuseErrno.Success;
    }
}
