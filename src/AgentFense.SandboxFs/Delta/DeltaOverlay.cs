using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// The merged view of a read-only codebase (the lower layer) and a sandbox's copy-on-write delta (the
/// upper layer), addressed by relative paths (<c>""</c> is the root). Every operation returns an
/// <see cref="Errno"/>; nothing throws on an expected failure.
/// </summary>
/// <remarks>
/// <para><b>Overview.</b> Constraints: the lower directory is never written (except by <see cref="Commit"/>);
/// no file descriptor is held per path or inode (repositories exceed the fd limit); the FUSE layer calls in
/// from several threads; a crash must never leave a half-copied file visible.</para>
/// <para>Scheme: the on-disk convention is <see cref="Whiteout"/>'s (OCI whiteouts, opaque markers).
/// Lookups walk the path one component at a time with <c>statx</c>, so no symlink is ever followed inside
/// either layer, and take no lock. Every change to the upper namespace (create, remove, rename, publishing
/// a copy-up) happens under one short mutation lock, so two changes never interleave; the slow part of a
/// copy-up (copying file content) is staged in the work directory outside that lock, under a striped lock
/// per target path, then renamed into place under the mutation lock after re-checking that the path still
/// names the same lower file. A rename or link of a lower file copies it up the same way first; a rename
/// of a lower directory copies its tree up inline, under the mutation lock. One overlay per delta directory.
/// Writes through descriptors the FUSE layer holds bypass all locks and are accounted through
/// <see cref="ReserveWrite"/>.</para>
/// </remarks>
public sealed partial class DeltaOverlay
{
    private const int CopyUpStripes = 64;

    private readonly string _lower;
    private readonly string _upper;
    private readonly string _work;
    private readonly Lock _mutation = new();
    private readonly Lock[] _copyUpLocks;

    /// <summary>
    /// Opens an overlay over <paramref name="lowerRoot"/> with its delta in <paramref name="upperRoot"/>
    /// (created if missing). An existing delta is walked once to initialise <see cref="Quota"/>, and its work
    /// directory is emptied of anything a crash left behind.
    /// </summary>
    /// <param name="lowerRoot">The codebase directory; never written except by <see cref="Commit"/>.</param>
    /// <param name="upperRoot">The delta directory; must be on one file system (renames stage through it).</param>
    /// <param name="sizeLimit">The most bytes the delta may hold (see <see cref="DeltaQuota"/>).</param>
    public DeltaOverlay(string lowerRoot, string upperRoot, long sizeLimit = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(lowerRoot);
        ArgumentNullException.ThrowIfNull(upperRoot);
        _lower = RealDirectory(lowerRoot);
        if (!Directory.Exists(_lower))
            throw new DirectoryNotFoundException($"lower directory '{_lower}' does not exist");
        Directory.CreateDirectory(upperRoot);
        _upper = RealDirectory(upperRoot);
        _work = _upper + "/" + Whiteout.WorkDirectory;
        HostFs.RemoveTree(_work);
        var existing = new List<string>();
        var fresh = HostFs.ListDirectory(_upper, existing) == Errno.Success && existing.Count == 0;
        var rc = HostFs.Mkdir(_work, 0x1C0 /* 0700 */);
        if (rc != Errno.Success)
            throw new IOException($"mkdir('{_work}', 0700) failed: {rc}");
        if (fresh && HostFs.Lstat(_lower, out var lowerRootStat) == Errno.Success)
        {
            // A fresh delta: its root serves the merged root's attributes, which must be the codebase's.
            CopyMetadata(_lower, _upper, lowerRootStat);
        }
        _copyUpLocks = new Lock[CopyUpStripes];
        for (var i = 0; i < _copyUpLocks.Length; i++)
            _copyUpLocks[i] = new Lock();
        Quota = new DeltaQuota(sizeLimit);
        Quota.Reset(MeasureUpper());
    }

    /// <summary>The codebase directory (absolute).</summary>
    public string LowerRoot => _lower;

    /// <summary>The delta directory (absolute).</summary>
    public string UpperRoot => _upper;

    /// <summary>Size accounting of the delta; <see cref="DeltaQuota.Limit"/> may be changed at any time.</summary>
    public DeltaQuota Quota { get; }

    /// <summary>The absolute path with a final symlink resolved: the roots are used with lstat, which would not follow it.</summary>
    private static string RealDirectory(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var target = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? full : Path.TrimEndingDirectorySeparator(target.FullName);
    }

    private string Upper(string path) => OverlayPath.Host(_upper, path);

    private string Lower(string path) => OverlayPath.Host(_lower, path);

    private string NewWorkPath() => _work + "/" + Guid.NewGuid().ToString("N");

    private Lock CopyUpLockFor(string path) =>
        _copyUpLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(path) % CopyUpStripes)];

    private static Errno CheckPath(string path) => OverlayPath.Validate(path);

    /// <summary>EPERM for a reserved final name, EINVAL for an unsafe path or the root.</summary>
    private static Errno CheckNewPath(string path)
    {
        var rc = OverlayPath.Validate(path);
        if (rc != Errno.Success)
            return rc;
        if (path.Length == 0)
            return Errno.EEXIST;
        return Whiteout.IsReserved(OverlayPath.Name(path)) ? Errno.EPERM : Errno.Success;
    }

    /// <summary>Recomputes <see cref="Quota"/> by walking the delta (corrects drift from concurrent fd writes).</summary>
    public void Recount() => Quota.Reset(MeasureUpper());

    private long MeasureUpper()
    {
        long total = 0;
        var seen = new HashSet<ulong>();
        var stack = new Stack<string>();
        stack.Push(_upper);
        var names = new List<string>();
        while (stack.Count > 0)
        {
            var dir = stack.Pop();
            names.Clear();
            if (HostFs.ListDirectory(dir, names) != Errno.Success)
                continue;
            foreach (var name in names)
            {
                var host = dir + "/" + name;
                if (host == _work || HostFs.Lstat(host, out var st) != Errno.Success)
                    continue;
                total += Charge(st, seen);
                if (HostFs.IsDir(st))
                    stack.Push(host);
            }
        }
        return total;
    }

    /// <summary>The bytes an entry counts for (see <see cref="DeltaQuota"/>), each hard-linked inode once.</summary>
    private static long Charge(in statx_t st, HashSet<ulong>? seen = null)
    {
        var kind = HostFs.Kind(st);
        if (kind == FileKind.Symlink)
            return (long)st.stx_size;
        if (kind != FileKind.Regular)
            return 0;
        if (st.stx_nlink > 1 && seen is not null && !seen.Add(st.stx_ino))
            return 0;
        return (long)st.stx_size;
    }
}
