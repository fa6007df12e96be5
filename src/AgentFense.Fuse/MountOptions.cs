namespace AgentFense.Fuse;

/// <summary>
/// How to mount and what to negotiate. Cache timeouts are not here: each reply carries its own
/// (<see cref="FuseEntryOut"/>, <see cref="FuseAttrOut"/>).
/// </summary>
public sealed record MountOptions
{
    /// <summary>The largest write the kernel may send in one request (max_write); clamped to 4 KiB..1 MiB.</summary>
    public const int MaxWriteLimit = 1 << 20;

    /// <summary>Lets users other than the mounter in (allow_other). Non-root mounts need user_allow_other in /etc/fuse.conf.</summary>
    public bool AllowOther { get; init; }

    /// <summary>Lets the kernel check permissions from the mode bits (default_permissions) before asking the filesystem.</summary>
    public bool DefaultPermissions { get; init; }

    /// <summary>Mounts read-only (MS_RDONLY).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Largest WRITE payload, 1 MiB by default.</summary>
    public int MaxWrite { get; init; } = MaxWriteLimit;

    /// <summary>Negotiates FUSE passthrough when the kernel offers it (7.40) so backing files can be returned from OPEN.</summary>
    public bool Passthrough { get; init; } = true;

    /// <summary>Lets the kernel cache writes (FUSE_WRITEBACK_CACHE). Off by default; it excludes passthrough.</summary>
    public bool WritebackCache { get; init; }

    /// <summary>Maximum outstanding background requests (readahead, async reads) per mount.</summary>
    public ushort MaxBackground { get; init; } = 16;

    /// <summary>The source shown in /proc/self/mountinfo (fsname).</summary>
    public string FsName { get; init; } = "agentfense";

    /// <summary>The type suffix: the mount shows as fuse.&lt;Subtype&gt;.</summary>
    public string Subtype { get; init; } = "agentfense";

    /// <summary>How to mount: mount(2) needs CAP_SYS_ADMIN; fusermount3 works without it.</summary>
    public MountMethod Method { get; init; } = MountMethod.Auto;

    /// <summary>How long <see cref="FuseServer.Mount"/> waits for the kernel's INIT before giving up.</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Receives diagnostics (failed syscalls, handler exceptions); null discards them.</summary>
    public Action<string>? Log { get; init; }

    internal uint EffectiveMaxWrite => (uint)Math.Clamp(MaxWrite, 4096, MaxWriteLimit);
}
