using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>write(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial nint write(SafeHandle fd, byte* buf, nuint count);
    }
}
