using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/linux/socket.h
        internal const int SOL_SOCKET = 1;
        internal const int SCM_RIGHTS = 1;
        internal const int MSG_CMSG_CLOEXEC = 0x40000000;

        /// <summary>struct msghdr (64-bit layout), man 2 recvmsg.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct msghdr_t
        {
            public void* msg_name;
            public uint msg_namelen;
            public iovec_t* msg_iov;
            public nuint msg_iovlen;
            public void* msg_control;
            public nuint msg_controllen;
            public int msg_flags;
        }

        /// <summary>struct cmsghdr header (64-bit layout); the data follows at offset 16, man 3 cmsg.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct cmsghdr_t
        {
            public nuint cmsg_len;
            public int cmsg_level;
            public int cmsg_type;
        }

        /// <summary>recvmsg(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial nint recvmsg(SafeHandle sockfd, msghdr_t* msg, int flags);
    }
}
