using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>truncate(2); follows symlinks, so call it on regular files only.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int truncate(string path, long length);
    }
}
