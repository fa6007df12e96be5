using System.Runtime.InteropServices;

// C spellings inside Interop (STYLE.md), so the struct is found by its man-page name.
#pragma warning disable CS8981

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/asm-generic/poll.h
        internal const short POLLIN = 0x001;
        internal const short POLLOUT = 0x004;
        internal const short POLLERR = 0x008;
        internal const short POLLHUP = 0x010;
        internal const short POLLNVAL = 0x020;

        /// <summary>struct pollfd, poll(2).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct pollfd
        {
            public int fd;
            public short events;
            public short revents;
        }

        /// <summary>poll(2); the fds are raw because the caller keeps their SafeHandles alive across the call.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int poll(pollfd* fds, nuint nfds, int timeout);
    }
}
