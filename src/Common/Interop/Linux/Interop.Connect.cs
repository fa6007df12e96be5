using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>Length of <c>sun_path</c> in <c>struct sockaddr_un</c> (include/uapi/linux/un.h).</summary>
        internal const int UnixPathMax = 108;

        /// <summary><c>struct sockaddr_un</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SockaddrUn
        {
            public ushort Family;
            public fixed byte Path[UnixPathMax];
        }

        /// <summary>socket(2); the descriptor is returned raw, wrap it at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int socket(int domain, int type, int protocol);

        /// <summary>connect(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int connect(int fd, SockaddrUn* address, uint addressLength);
    }
}
