using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

/// <summary>What INIT negotiated for one mount; handed to <see cref="IFuseFileSystem.Init"/>.</summary>
public sealed class FuseConnectionInfo
{
    internal FuseConnectionInfo(uint kernelMinor, uint minor, FuseInitFlags kernelFlags, FuseInitFlags flags, uint maxWrite, uint maxReadahead)
    {
        KernelMinor = kernelMinor;
        ProtocolMinor = minor;
        KernelFlags = kernelFlags;
        Flags = flags;
        MaxWrite = maxWrite;
        MaxReadahead = maxReadahead;
    }

    /// <summary>The protocol minor the kernel offered (7.x).</summary>
    public uint KernelMinor { get; }

    /// <summary>The protocol minor in use: the smaller of the kernel's and ours.</summary>
    public uint ProtocolMinor { get; }

    /// <summary>Largest WRITE payload (and READ size) the kernel will send.</summary>
    public uint MaxWrite { get; }

    /// <summary>The kernel's readahead limit in bytes.</summary>
    public uint MaxReadahead { get; }

    /// <summary>True when backing files returned from OPEN/CREATE are used for passthrough I/O.</summary>
    public bool Passthrough => (Flags & FuseInitFlags.Passthrough) != 0;

    /// <summary>True when the kernel caches writes (FUSE_WRITEBACK_CACHE).</summary>
    public bool WritebackCache => (Flags & FuseInitFlags.WritebackCache) != 0;

    /// <summary>True when READDIRPLUS may be sent.</summary>
    public bool ReadDirPlus => (Flags & FuseInitFlags.DoReaddirplus) != 0;

    /// <summary>True when OPENDIR answered with ENOSYS means "no opendir needed" (FUSE_NO_OPENDIR_SUPPORT).</summary>
    public bool NoOpenDirSupport => (Flags & FuseInitFlags.NoOpendirSupport) != 0;

    /// <summary>True when the kernel understands FUSE_EXPIRE_ONLY for entry invalidation.</summary>
    public bool ExpireOnly => (KernelFlags & FuseInitFlags.HasExpireOnly) != 0;

    internal FuseInitFlags KernelFlags { get; }

    internal FuseInitFlags Flags { get; }
}
