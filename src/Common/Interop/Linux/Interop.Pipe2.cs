using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>pipe2(2) (flags O_CLOEXEC, O_NONBLOCK from Interop.Openat.cs); fills <paramref name="fds"/> with the read and write ends as raw fds, wrap them at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int pipe2(int* fds, int flags);
    }
}
