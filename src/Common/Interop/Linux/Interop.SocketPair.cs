using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/linux/socket.h, include/linux/net.h
        internal const int AF_UNIX = 1;
        internal const int SOCK_STREAM = 1;
        internal const int SOCK_CLOEXEC = 0x80000;

        /// <summary>socketpair(2); fills <paramref name="sv"/> with two raw fds, wrap them at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int socketpair(int domain, int type, int protocol, int* sv);
    }
}
