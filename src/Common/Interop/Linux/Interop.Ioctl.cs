using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>ioctl(2) with a pointer argument (the variadic third argument is passed like a fixed one on Linux x86_64/arm64).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static unsafe partial int ioctl(SafeHandle fd, nuint request, void* arg);
    }
}
