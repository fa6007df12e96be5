using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/asm-generic/fcntl.h
        internal const int F_GETFD = 1;
        internal const int F_SETFD = 2;
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;
        internal const int FD_CLOEXEC = 1;

        /// <summary>fcntl(2) with an int argument (F_GETFL/F_SETFL/F_GETFD/F_SETFD).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int fcntl(SafeHandle fd, int cmd, int arg);
    }
}
