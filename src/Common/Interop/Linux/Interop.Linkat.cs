using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>linkat(2); without <c>AT_SYMLINK_FOLLOW</c> a symlink source is linked itself.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);
    }
}
