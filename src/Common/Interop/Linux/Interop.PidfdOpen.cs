using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // Syscall number 434 on every architecture (the unified table, Linux 5.3).
        private const long SYS_pidfd_open = 434;

        /// <summary>
        /// pidfd_open(2) through syscall(2) (glibc added a wrapper only in 2.36): a descriptor that
        /// polls readable when the process exits. Returns a raw fd (close-on-exec), wrap it at once.
        /// </summary>
        internal static int pidfd_open(int pid) => (int)syscall_pidfd_open(SYS_pidfd_open, pid, 0);

        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        private static partial long syscall_pidfd_open(long number, int pid, uint flags);
    }
}
