using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/close_range.h; syscall 436 on every architecture (Linux 5.9).
        internal const uint CLOSE_RANGE_CLOEXEC = 4;
        private const long SYS_close_range = 436;

        /// <summary>close_range(2) through syscall(2) (glibc wraps it only from 2.34).</summary>
        internal static int close_range(uint first, uint last, uint flags) => (int)syscall_close_range(SYS_close_range, first, last, flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        private static partial long syscall_close_range(long number, uint first, uint last, uint flags);
    }
}
