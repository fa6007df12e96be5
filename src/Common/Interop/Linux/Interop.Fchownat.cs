using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>fchownat(2); with <c>AT_SYMLINK_NOFOLLOW</c> it is lchown. <c>uint.MaxValue</c> leaves an id unchanged.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int fchownat(int dirfd, string path, uint owner, uint group, int flags);
    }
}
