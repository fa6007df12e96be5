using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/wait.h
        internal const int WNOHANG = 1;

        /// <summary>waitpid(2); decode the status with <see cref="WIFEXITED"/> and friends.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int waitpid(int pid, int* status, int options);

        /// <summary>WIFEXITED from sys/wait.h.</summary>
        internal static bool WIFEXITED(int status) => (status & 0x7f) == 0;

        /// <summary>WEXITSTATUS from sys/wait.h.</summary>
        internal static int WEXITSTATUS(int status) => (status >> 8) & 0xff;

        /// <summary>WIFSIGNALED from sys/wait.h.</summary>
        internal static bool WIFSIGNALED(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f;

        /// <summary>WTERMSIG from sys/wait.h.</summary>
        internal static int WTERMSIG(int status) => status & 0x7f;
    }
}
