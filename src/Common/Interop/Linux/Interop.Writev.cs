using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct iovec, include/uapi/linux/uio.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct iovec_t
        {
            public void* iov_base;
            public nuint iov_len;
        }

        /// <summary>writev(2): one atomic write of several buffers (a /dev/fuse message must arrive in one call).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial nint writev(SafeHandle fd, iovec_t* iov, int iovcnt);
    }
}
