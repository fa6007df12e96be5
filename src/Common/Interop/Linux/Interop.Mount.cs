using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // mountflags, include/uapi/linux/mount.h (man 2 mount).
        internal const ulong MS_RDONLY = 1;
        internal const ulong MS_NOSUID = 2;
        internal const ulong MS_NODEV = 4;
        internal const ulong MS_NOEXEC = 8;
        internal const ulong MS_NOATIME = 1024;

        // umount2 flags, man 2 umount.
        internal const int MNT_FORCE = 1;
        internal const int MNT_DETACH = 2;

        /// <summary>mount(2); <paramref name="data"/> is the filesystem-specific option string.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mount(string source, string target, string filesystemtype, ulong mountflags, string? data);

        /// <summary>umount2(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int umount2(string target, int flags);
    }
}
