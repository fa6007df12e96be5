using System.Text;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Audit;
using AgentFense.SandboxFs.Delta;
using AgentFense.SandboxFs.Handles;
using AgentFense.SandboxFs.Nodes;
using FuseErrno = AgentFense.Fuse.Errno;

namespace AgentFense.SandboxFs;

/// <summary>
/// The filesystem an agent sees: the merged codebase + delta of a <see cref="DeltaOverlay"/>, with the
/// policy applied to every operation, served through <see cref="AgentFense.Fuse"/>.
/// </summary>
/// <remarks>
/// <para>Overview. POSIX checks (mode bits, ownership, sticky directories) are the kernel's, through the
/// <c>default_permissions</c> mount option, on the attributes we report; the policy is a second gate on
/// top. Levels: <c>none</c> answers ENOENT and is absent from listings; <c>view</c> allows lookup, stat,
/// readlink and listing a directory; <c>read</c> allows opening for reading; <c>write</c> allows
/// everything. Creating, deleting and renaming need <c>write</c> on every path involved (the entries and,
/// for a directory rename, everything beneath), not on the parent directory.</para>
/// <para>Caching: names, attributes and absences are cached by the kernel for long timeouts; whatever changes
/// the tree from outside the mount (commit, discard, a new policy) calls <see cref="InvalidateAll"/>.</para>
/// <para>I/O modes: opens are served through the page cache, kept across opens while a file is unchanged;
/// writes reach us so the delta size limit is exact. Optionally, read-only opens of large files are passed
/// through to the host file (see <see cref="SandboxFsOptions.Passthrough"/> for the kernel's rule that makes
/// it opt-in).</para>
/// </remarks>
public sealed partial class SandboxFileSystem : FuseFileSystem
{
    private readonly DeltaOverlay _overlay;
    private readonly SandboxFsOptions _options;
    private readonly NodeTable _nodes = new();
    private readonly HandleTable _handles = new();
    private readonly NegativeEntries _negatives = new();
    private PolicyMatcher _policy;
    private long _policyEpoch;
    private FuseSession? _session;
    private bool _passthrough;
    private readonly bool _layersOnDifferentDevices;
    private long _readRequests;

    /// <summary>Creates the filesystem over <paramref name="overlay"/> with <paramref name="policy"/>.</summary>
    public SandboxFileSystem(DeltaOverlay overlay, PolicyMatcher policy, SandboxFsOptions? options = null)
    {
        _overlay = overlay;
        _policy = policy;
        _options = options ?? new SandboxFsOptions();
        Audit = new AuditLog(_options.AuditCapacity);
        _layersOnDifferentDevices =
            HostFs.Lstat(overlay.LowerRoot, out var lower) == Delta.Errno.Success &&
            HostFs.Lstat(overlay.UpperRoot, out var upper) == Delta.Errno.Success &&
            (lower.stx_dev_major, lower.stx_dev_minor) != (upper.stx_dev_major, upper.stx_dev_minor);
    }

    /// <summary>The refusals recorded so far.</summary>
    public AuditLog Audit { get; }

    /// <summary>The policy in force.</summary>
    public PolicyMatcher Policy => _policy;

    /// <summary>The merged view this filesystem serves.</summary>
    public DeltaOverlay Overlay => _overlay;

    /// <summary>How many READ requests reached this process (passthrough reads never do).</summary>
    public long ReadRequests => Interlocked.Read(ref _readRequests);

    /// <summary>How many nodes the kernel holds (for tests and metrics).</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Binds the filesystem to the session that serves it (for cache invalidation).</summary>
    internal void Attach(FuseSession session) => _session = session;

    /// <inheritdoc />
    public override void Init(FuseConnectionInfo connection) =>
        _passthrough = _options.Passthrough && connection.Passthrough;

    /// <summary>
    /// Replaces the policy and drops every cached name, attribute and absence in the kernel so the new levels
    /// apply at once.
    /// </summary>
    public void UpdatePolicy(PolicyMatcher policy)
    {
        Volatile.Write(ref _policy, policy);
        Interlocked.Increment(ref _policyEpoch);
        InvalidateAll();
    }

    /// <summary>
    /// Tells the kernel to forget every cached name, attribute, absence and page of this mount; call after
    /// the tree changed without passing through the mount (commit, discard).
    /// </summary>
    public void InvalidateAll()
    {
        var session = _session;
        if (session is null)
            return;
        foreach (var node in _nodes.Snapshot())
        {
            session.NotifyInvalInode(node.Id);
            if (node.Parent is { } parent)
                session.NotifyInvalEntry(parent.Id, Encoding.UTF8.GetBytes(node.Name));
        }
        foreach (var (parent, name) in _negatives.Drain())
            session.NotifyInvalEntry(parent, Encoding.UTF8.GetBytes(name));
    }

    private static FuseErrno E(Delta.Errno errno) => (FuseErrno)(int)errno;

    private static string NameOf(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name);
}
