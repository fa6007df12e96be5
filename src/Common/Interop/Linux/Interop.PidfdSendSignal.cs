using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // Syscall number 424 on every architecture (the unified table, Linux 5.1).
        private const long SYS_pidfd_send_signal = 424;

        /// <summary>
        /// pidfd_send_signal(2) without siginfo, through syscall(2): signals exactly the process
        /// the pidfd was opened for, never a later process that reused its number.
        /// </summary>
        internal static int pidfd_send_signal(int pidfd, int sig) => (int)syscall_pidfd_send_signal(SYS_pidfd_send_signal, pidfd, sig, 0, 0);

        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        private static partial long syscall_pidfd_send_signal(long number, int pidfd, int sig, nint info, uint flags);
    }
}
