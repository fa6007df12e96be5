using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // asm-generic/signal.h
        internal const int SIGHUP = 1;
        internal const int SIGINT = 2;
        internal const int SIGKILL = 9;
        internal const int SIGPIPE = 13;
        internal const int SIGTERM = 15;
        internal const int SIGCHLD = 17;

        /// <summary>Bytes of a glibc sigset_t (1024 bits); large enough for musl's too.</summary>
        internal const int SigSetSize = 128;

        /// <summary>SIG_IGN, as the handler argument of signal(2).</summary>
        internal const nint SIG_IGN = 1;

        /// <summary>sigemptyset(3).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int sigemptyset(void* set);

        /// <summary>sigfillset(3).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int sigfillset(void* set);

        /// <summary>signal(2): only used to set SIG_IGN (no managed handler is ever installed this way).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint signal(int signum, nint handler);
    }
}
