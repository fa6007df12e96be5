namespace AgentFense.SandboxFs;

/// <summary>How a sandbox filesystem presents itself and what it caches.</summary>
public sealed record SandboxFsOptions
{
    /// <summary>Default delta size limit: 10 GiB.</summary>
    public const long DefaultDeltaLimit = 10L << 30;

    /// <summary>
    /// How long the kernel may cache names and attributes. Long by default: every change that does not pass
    /// through the mount (commit, discard, a policy update) is invalidated explicitly.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long the kernel may cache attributes (see <see cref="EntryTimeout"/>).</summary>
    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the kernel may cache the absence of a name (hidden or missing). A cached absence is answered
    /// by the kernel alone, so repeated lookups of a hidden name are not audited again until it expires.
    /// </summary>
    public TimeSpan NegativeTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The most bytes the delta may hold; writes past it fail with ENOSPC.</summary>
    public long DeltaSizeLimit { get; init; } = DefaultDeltaLimit;

    /// <summary>
    /// When set, every entry is presented as owned by this uid/gid (inside a box: the box user, so what the
    /// policy lets it write, it can write). When null, real ownership is shown.
    /// </summary>
    public (uint Uid, uint Gid)? PresentedOwner { get; init; }

    /// <summary>
    /// Pass reads of read-only opens of large files (<see cref="PassthroughMinSize"/>) straight to the host file
    /// (FUSE passthrough) when the kernel can. Off by default: the kernel requires every open of an inode that
    /// has a passthrough open to be passed through to the same host file, so while a codebase file is open for
    /// reading this way, opening it for writing (which copies it up to a different host file) fails with
    /// ETXTBSY. Turn it on for read-mostly views of large files.
    /// </summary>
    public bool Passthrough { get; init; }

    /// <summary>
    /// The smallest file passed through. Registering a backing file costs more per open than a cached read
    /// (measured here: a warm 1 MiB open+read+close takes ~90 µs cached with the page cache kept, ~125 µs
    /// through passthrough), so smaller files are served through the page cache, kept across opens while
    /// unchanged; passthrough pays off for large files, whose cold reads then never cross this process.
    /// </summary>
    public long PassthroughMinSize { get; init; } = 8L << 20;

    /// <summary>Where the FUSE layer reports problems it cannot return to a caller (failed replies, handler bugs).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>How many refusals the audit log keeps (oldest dropped first); the count is kept regardless.</summary>
    public int AuditCapacity { get; init; } = 1024;
}
