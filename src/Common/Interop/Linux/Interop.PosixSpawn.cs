using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // spawn.h (glibc): flags for posix_spawnattr_setflags.
        internal const short POSIX_SPAWN_SETPGROUP = 0x02;
        internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
        internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
        internal const short POSIX_SPAWN_SETSID = 0x80;

        /// <summary>
        /// Bytes reserved for posix_spawnattr_t / posix_spawn_file_actions_t (glibc: 336 and 80 on
        /// 64-bit; musl smaller). Callers allocate this much and let the init functions fill it.
        /// </summary>
        internal const int PosixSpawnOpaqueSize = 512;

        /// <summary>
        /// posix_spawn(3): glibc clones with CLONE_VM|CLONE_VFORK and runs only its own C code
        /// (file actions, signal resets, setsid) before execve, so nothing managed runs in the child.
        /// Returns an error number (not -1/errno); exec failures (ENOENT, EACCES) are reported here too.
        /// </summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn(int* pid, byte* path, void* file_actions, void* attrp, byte** argv, byte** envp);

        /// <summary>posix_spawnattr_init(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawnattr_init(void* attr);

        /// <summary>posix_spawnattr_destroy(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawnattr_destroy(void* attr);

        /// <summary>posix_spawnattr_setflags(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawnattr_setflags(void* attr, short flags);

        /// <summary>posix_spawnattr_setsigmask(3): the child's signal mask (with POSIX_SPAWN_SETSIGMASK).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

        /// <summary>posix_spawnattr_setsigdefault(3): signals reset to SIG_DFL (with POSIX_SPAWN_SETSIGDEF).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

        /// <summary>posix_spawn_file_actions_init(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_init(void* file_actions);

        /// <summary>posix_spawn_file_actions_destroy(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_destroy(void* file_actions);

        /// <summary>posix_spawn_file_actions_adddup2(3); dup2 clears FD_CLOEXEC on the target.</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_adddup2(void* file_actions, int fd, int newfd);

        /// <summary>posix_spawn_file_actions_addclose(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_addclose(void* file_actions, int fd);

        /// <summary>posix_spawn_file_actions_addopen(3).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_addopen(void* file_actions, int fd, byte* path, int oflag, uint mode);

        /// <summary>posix_spawn_file_actions_addchdir_np(3) (glibc 2.29, musl 1.1.24).</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int posix_spawn_file_actions_addchdir_np(void* file_actions, byte* path);
    }
}
