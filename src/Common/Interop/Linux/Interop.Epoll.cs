using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/eventpoll.h
        internal const int EPOLL_CLOEXEC = 0x80000;
        internal const int EPOLL_CTL_ADD = 1;
        internal const int EPOLL_CTL_DEL = 2;
        internal const int EPOLL_CTL_MOD = 3;
        internal const uint EPOLLIN = 0x001;
        internal const uint EPOLLERR = 0x008;
        internal const uint EPOLLHUP = 0x010;
        internal const uint EPOLLONESHOT = 1u << 30;

        /// <summary>
        /// Size of struct epoll_event: the kernel packs it on x86_64 (12 bytes, data at offset 4)
        /// and aligns it naturally elsewhere (16 bytes, data at offset 8). Callers read it through
        /// <see cref="EpollEventSize"/> and <see cref="EpollDataOffset"/>.
        /// </summary>
        internal static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

        /// <summary>Offset of epoll_event.data; see <see cref="EpollEventSize"/>.</summary>
        internal static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

        /// <summary>epoll_create1(2); returns a raw fd, wrap it at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int epoll_create1(int flags);

        /// <summary>epoll_ctl(2); <paramref name="ev"/> points at one epoll_event laid out per <see cref="EpollEventSize"/>.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int epoll_ctl(SafeHandle epfd, int op, int fd, byte* ev);

        /// <summary>epoll_wait(2); <paramref name="events"/> holds <paramref name="maxevents"/> epoll_event records.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int epoll_wait(SafeHandle epfd, byte* events, int maxevents, int timeout);

        /// <summary>Writes one epoll_event (events, data) into <paramref name="ev"/>.</summary>
        internal static unsafe void EpollEventWrite(byte* ev, uint events, ulong data)
        {
            *(uint*)ev = events;
            *(ulong*)(ev + EpollDataOffset) = data;
        }
    }
}
