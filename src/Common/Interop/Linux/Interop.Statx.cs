using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_EMPTY_PATH = 0x1000;
        internal const uint STATX_BASIC_STATS = 0x7ff;

        internal const uint S_IFMT = 0xF000;
        internal const uint S_IFSOCK = 0xC000;
        internal const uint S_IFLNK = 0xA000;
        internal const uint S_IFREG = 0x8000;
        internal const uint S_IFBLK = 0x6000;
        internal const uint S_IFDIR = 0x4000;
        internal const uint S_IFCHR = 0x2000;
        internal const uint S_IFIFO = 0x1000;

        /// <summary><c>struct statx_timestamp</c> (linux/stat.h).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct statx_timestamp
        {
            internal long tv_sec;
            internal uint tv_nsec;
            internal int __reserved;
        }

        /// <summary><c>struct statx</c> (linux/stat.h); 256 bytes, identical on every architecture.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        internal struct statx_t
        {
            internal uint stx_mask;
            internal uint stx_blksize;
            internal ulong stx_attributes;
            internal uint stx_nlink;
            internal uint stx_uid;
            internal uint stx_gid;
            internal ushort stx_mode;
            internal ushort __spare0;
            internal ulong stx_ino;
            internal ulong stx_size;
            internal ulong stx_blocks;
            internal ulong stx_attributes_mask;
            internal statx_timestamp stx_atime;
            internal statx_timestamp stx_btime;
            internal statx_timestamp stx_ctime;
            internal statx_timestamp stx_mtime;
            internal uint stx_rdev_major;
            internal uint stx_rdev_minor;
            internal uint stx_dev_major;
            internal uint stx_dev_minor;
        }

        /// <summary>statx(2): <c>int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)</c>.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statx(int dirfd, string path, int flags, uint mask, out statx_t buf);

        /// <summary>statx(2) on an open descriptor (<c>AT_EMPTY_PATH</c> with an empty path).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int fstatx(SafeHandle fd, string emptyPath, int flags, uint mask, out statx_t buf);
    }
}
