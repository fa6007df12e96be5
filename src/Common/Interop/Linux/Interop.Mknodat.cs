using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>mknodat(2); a real glibc symbol since 2.33 (before that it was an inline over <c>__xmknodat</c>).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mknodat(int dirfd, string path, uint mode, ulong dev);
    }
}
