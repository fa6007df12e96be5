using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>getuid(2).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static partial uint getuid();

        /// <summary>geteuid(2).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static partial uint geteuid();

        /// <summary>getgid(2).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static partial uint getgid();
    }
}
