using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>read(2); the SafeHandle is ref-counted for the call, so a concurrent Dispose cannot recycle the fd.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial nint read(SafeHandle fd, byte* buf, nuint count);
    }
}
