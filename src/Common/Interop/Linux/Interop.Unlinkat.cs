using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_REMOVEDIR = 0x200;

        /// <summary>unlinkat(2); with <c>AT_REMOVEDIR</c> it is rmdir.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int unlinkat(int dirfd, string path, int flags);
    }
}
