using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>What OPEN, OPENDIR and CREATE handlers hand back besides the errno.</summary>
public struct FuseOpenReply
{
    /// <summary>The filesystem's handle for this open file; echoed in READ, WRITE, FLUSH, RELEASE and friends.</summary>
    public ulong Fh;

    /// <summary>FOPEN_* flags (keep cache, direct I/O, no flush); <see cref="FopenFlags.Passthrough"/> is set by the session.</summary>
    public FopenFlags Flags;

    /// <summary>
    /// Optional host file to pass reads and writes through to (FUSE passthrough, 7.40). Ownership moves to the
    /// session, which registers it with FUSE_DEV_IOC_BACKING_OPEN and closes the descriptor at once (the kernel
    /// keeps its own reference). Ignored on OPENDIR and when passthrough was not negotiated or registration fails:
    /// then READ and WRITE for <see cref="Fh"/> reach the filesystem as usual. The kernel allows one backing file per
    /// inode at a time, so while a node has passthrough opens, later opens of it reuse the first registration when
    /// they name the same host inode; one naming a different host inode is not registered and the kernel fails that
    /// open with EIO (return <see cref="FopenFlags.DirectIo"/> and no backing file for such an open instead).
    /// </summary>
    public SafeFileHandle? BackingFile;
}
