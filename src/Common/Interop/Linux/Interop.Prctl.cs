using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // include/uapi/linux/prctl.h
        internal const int PR_SET_PDEATHSIG = 1;
        internal const int PR_SET_CHILD_SUBREAPER = 36;

        /// <summary>prctl(2) with integer arguments.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    }
}
