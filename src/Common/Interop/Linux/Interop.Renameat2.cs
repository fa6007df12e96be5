using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint RENAME_NOREPLACE = 1;
        internal const uint RENAME_EXCHANGE = 2;

        /// <summary>renameat2(2), glibc 2.28+.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
    }
}
