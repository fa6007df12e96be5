using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint realpath_raw(string path, nint resolved);

        /// <summary>realpath(3): <paramref name="path"/> with every symbolic link, "." and ".." resolved, or null (errno in the last P/Invoke error) when a part is missing or unreadable.</summary>
        internal static unsafe string? realpath(string path)
        {
            var resolved = realpath_raw(path, 0);
            if (resolved == 0)
                return null;
            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                // realpath(3) with a NULL buffer mallocs the result; NativeMemory.Free is free(3) on Linux.
                NativeMemory.Free((void*)resolved);
            }
        }
    }
}
