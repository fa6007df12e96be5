using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary><c>struct statfs</c> on 64-bit Linux (bits/statfs.h): every field is 64 bits wide; 120 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct statfs_t
        {
            internal long f_type;
            internal long f_bsize;
            internal ulong f_blocks;
            internal ulong f_bfree;
            internal ulong f_bavail;
            internal ulong f_files;
            internal ulong f_ffree;
            internal ulong f_fsid;
            internal long f_namelen;
            internal long f_frsize;
            internal long f_flags;
            internal long f_spare0;
            internal long f_spare1;
            internal long f_spare2;
            internal long f_spare3;
        }

        /// <summary>statfs(2).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statfs(string path, out statfs_t buf);
    }
}
