using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>copy_file_range(2) with null offsets: both descriptors' file positions advance.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint copy_file_range(SafeHandle fd_in, nint off_in, SafeHandle fd_out, nint off_out, nuint len, uint flags);
    }
}
