using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_RDONLY = 0;
        internal const int O_WRONLY = 1;
        internal const int O_RDWR = 2;
        internal const int O_ACCMODE = 3;
        internal const int O_CREAT = 0x40;
        internal const int O_EXCL = 0x80;
        internal const int O_NOCTTY = 0x100;
        internal const int O_TRUNC = 0x200;
        internal const int O_APPEND = 0x400;
        internal const int O_NONBLOCK = 0x800;
        internal const int O_DIRECTORY = 0x10000;
        internal const int O_NOFOLLOW = 0x20000;
        internal const int O_CLOEXEC = 0x80000;

        /// <summary>openat(2); the descriptor is returned raw, wrap it in a SafeFileHandle at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int openat(int dirfd, string path, int flags, uint mode);
    }
}
