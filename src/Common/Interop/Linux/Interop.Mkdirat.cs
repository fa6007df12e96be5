using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>mkdirat(2); the umask applies, so set the mode explicitly afterwards when it matters.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mkdirat(int dirfd, string path, uint mode);
    }
}
