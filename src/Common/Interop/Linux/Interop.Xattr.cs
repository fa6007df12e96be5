using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int XATTR_CREATE = 1;
        internal const int XATTR_REPLACE = 2;

        /// <summary>lgetxattr(2): never follows a final symlink.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial nint lgetxattr(string path, string name, byte* value, nuint size);

        /// <summary>lsetxattr(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

        /// <summary>llistxattr(2): a list of NUL-terminated names.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial nint llistxattr(string path, byte* list, nuint size);

        /// <summary>lremovexattr(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int lremovexattr(string path, string name);
    }
}
