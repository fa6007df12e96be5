using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>fsync(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int fsync(SafeHandle fd);
    }
}
