using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>close(2) of a raw descriptor not yet wrapped in a SafeHandle.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int close(int fd);
    }
}
