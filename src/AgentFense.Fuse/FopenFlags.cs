namespace AgentFense.Fuse;

/// <summary>FOPEN_* flags of fuse_open_out.open_flags (include/uapi/linux/fuse.h; PASSTHROUGH since 7.40).</summary>
[Flags]
public enum FopenFlags : uint
{
    /// <summary>No flag: page-cached I/O, cache dropped on open.</summary>
    None = 0,
    /// <summary>FOPEN_DIRECT_IO: bypass the page cache for this open file.</summary>
    DirectIo = 1 << 0,
    /// <summary>FOPEN_KEEP_CACHE: keep the cached data from earlier opens.</summary>
    KeepCache = 1 << 1,
    /// <summary>FOPEN_NONSEEKABLE.</summary>
    NonSeekable = 1 << 2,
    /// <summary>FOPEN_CACHE_DIR: let the kernel cache this directory's READDIR output.</summary>
    CacheDir = 1 << 3,
    /// <summary>FOPEN_STREAM: no file position at all.</summary>
    Stream = 1 << 4,
    /// <summary>FOPEN_NOFLUSH: do not send FLUSH on close (saves a round trip for read-only opens).</summary>
    NoFlush = 1 << 5,
    /// <summary>FOPEN_PARALLEL_DIRECT_WRITES.</summary>
    ParallelDirectWrites = 1 << 6,
    /// <summary>FOPEN_PASSTHROUGH: set by the session, not the filesystem, when a backing file was registered.</summary>
    Passthrough = 1 << 7,
}
