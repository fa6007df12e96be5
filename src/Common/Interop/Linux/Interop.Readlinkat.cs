using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>readlinkat(2); returns the byte count, no terminating NUL.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial nint readlinkat(int dirfd, string path, byte* buf, nuint bufsiz);
    }
}
