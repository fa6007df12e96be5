namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// The <c>stat</c> of an entry as the merged view shows it, with the layer that served it.
/// <see cref="Inode"/> and <see cref="Device"/> are the host's; the FUSE layer assigns its own node ids.
/// </summary>
public readonly record struct EntryAttributes
{
    /// <summary><c>st_mode</c>: type bits and permission bits.</summary>
    public uint Mode { get; init; }

    /// <summary>Link count.</summary>
    public uint LinkCount { get; init; }

    /// <summary>Owner uid.</summary>
    public uint Uid { get; init; }

    /// <summary>Owner gid.</summary>
    public uint Gid { get; init; }

    /// <summary>Size in bytes (for a symlink: the length of its target).</summary>
    public long Size { get; init; }

    /// <summary>512-byte blocks allocated.</summary>
    public long Blocks { get; init; }

    /// <summary>Preferred I/O block size.</summary>
    public uint BlockSize { get; init; }

    /// <summary>Device number of a device node, as the kernel's <c>new_encode_dev</c>/glibc <c>makedev</c>.</summary>
    public ulong RDev { get; init; }

    /// <summary>Host inode number.</summary>
    public ulong Inode { get; init; }

    /// <summary>Host device number (glibc <c>makedev</c> encoding).</summary>
    public ulong Device { get; init; }

    /// <summary>Last access time.</summary>
    public UnixTime AccessTime { get; init; }

    /// <summary>Last modification time.</summary>
    public UnixTime ModifyTime { get; init; }

    /// <summary>Last status change time.</summary>
    public UnixTime ChangeTime { get; init; }

    /// <summary>The layer the entry comes from.</summary>
    public Layer Layer { get; init; }

    /// <summary>The entry type.</summary>
    public FileKind Kind => KindOf(Mode);

    /// <summary>Permission bits (<c>07777</c>).</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>The entry type encoded in <paramref name="mode"/>.</summary>
    public static FileKind KindOf(uint mode) => (mode & Interop.Libc.S_IFMT) switch
    {
        Interop.Libc.S_IFREG => FileKind.Regular,
        Interop.Libc.S_IFDIR => FileKind.Directory,
        Interop.Libc.S_IFLNK => FileKind.Symlink,
        Interop.Libc.S_IFIFO => FileKind.Fifo,
        Interop.Libc.S_IFCHR => FileKind.CharDevice,
        Interop.Libc.S_IFBLK => FileKind.BlockDevice,
        Interop.Libc.S_IFSOCK => FileKind.Socket,
        _ => FileKind.Unknown,
    };

    /// <summary>The <c>S_IFMT</c> bits for <paramref name="kind"/>.</summary>
    public static uint TypeBits(FileKind kind) => kind switch
    {
        FileKind.Regular => Interop.Libc.S_IFREG,
        FileKind.Directory => Interop.Libc.S_IFDIR,
        FileKind.Symlink => Interop.Libc.S_IFLNK,
        FileKind.Fifo => Interop.Libc.S_IFIFO,
        FileKind.CharDevice => Interop.Libc.S_IFCHR,
        FileKind.BlockDevice => Interop.Libc.S_IFBLK,
        FileKind.Socket => Interop.Libc.S_IFSOCK,
        _ => 0,
    };

    internal static EntryAttributes From(in Interop.Libc.statx_t st, Layer layer) => new()
    {
        Mode = st.stx_mode,
        LinkCount = st.stx_nlink,
        Uid = st.stx_uid,
        Gid = st.stx_gid,
        Size = (long)st.stx_size,
        Blocks = (long)st.stx_blocks,
        BlockSize = st.stx_blksize,
        RDev = MakeDev(st.stx_rdev_major, st.stx_rdev_minor),
        Inode = st.stx_ino,
        Device = MakeDev(st.stx_dev_major, st.stx_dev_minor),
        AccessTime = new UnixTime(st.stx_atime.tv_sec, st.stx_atime.tv_nsec),
        ModifyTime = new UnixTime(st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec),
        ChangeTime = new UnixTime(st.stx_ctime.tv_sec, st.stx_ctime.tv_nsec),
        Layer = layer,
    };

    /// <summary>glibc <c>makedev</c>.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
        | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
