using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/eventfd.h (same values as O_CLOEXEC/O_NONBLOCK).
        internal const int EFD_CLOEXEC = 0x80000;
        internal const int EFD_NONBLOCK = 0x800;

        /// <summary>eventfd(2); returns a raw fd, wrap it at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int eventfd(uint initval, int flags);
    }
}
