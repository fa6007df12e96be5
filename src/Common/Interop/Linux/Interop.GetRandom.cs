using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>getrandom(2) (glibc 2.25+); flags 0 reads the urandom pool once it is initialized.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial nint getrandom(byte* buffer, nuint length, uint flags);
    }
}
