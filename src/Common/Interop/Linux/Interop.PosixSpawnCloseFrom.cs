using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34): the child closes every
        /// descriptor from <paramref name="from"/> up before exec, whatever its close-on-exec flag.
        /// Absent from musl: callers catch <see cref="EntryPointNotFoundException"/>.
        /// </summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_addclosefrom_np(void* file_actions, int from);
    }
}
