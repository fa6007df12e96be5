using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>fchmodat(2); follows symlinks (Linux links have no mode), so never call it on a link.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int fchmodat(int dirfd, string path, uint mode, int flags);
    }
}
