using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const long UTIME_NOW = (1L << 30) - 1;
        internal const long UTIME_OMIT = (1L << 30) - 2;

        /// <summary><c>struct timespec</c> on 64-bit Linux.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct timespec_t
        {
            internal long tv_sec;
            internal long tv_nsec;
        }

        /// <summary>utimensat(2); <paramref name="times"/> points at two timespecs: atime, mtime.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int utimensat(int dirfd, string path, timespec_t* times, int flags);
    }
}
