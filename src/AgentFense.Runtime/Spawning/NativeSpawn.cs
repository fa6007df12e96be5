using System.Runtime.InteropServices;
using static AgentFense.Runtime.Spawning.NativeStrings;

namespace AgentFense.Runtime.Spawning;

/// <summary>
/// posix_spawn of a program in a new session, with every signal at its default disposition and an empty
/// signal mask, so nothing the engine's runtime blocked or ignored reaches the child. The caller adds its
/// descriptor plumbing as file actions; everything native is built before the call and freed after it.
/// </summary>
internal static unsafe class NativeSpawn
{
    /// <summary>Adds file actions (dup2, open, close) to the spawn; <c>owned</c> collects native strings to free.</summary>
    public delegate void FileActions(void* actions, List<nint> owned);

    /// <summary>Spawns <paramref name="path"/>; returns 0 and the pid, or the errno posix_spawn reported.</summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, FileActions fileActions, out int pid)
    {
        var attr = NativeMemory.AllocZeroed(Interop.Libc.PosixSpawnOpaqueSize);
        var actions = NativeMemory.AllocZeroed(Interop.Libc.PosixSpawnOpaqueSize);
        var sigset = NativeMemory.AllocZeroed(Interop.Libc.SigSetSize);
        var owned = new List<nint>();
        try
        {
            Interop.Libc.posix_spawnattr_init(attr);
            Interop.Libc.posix_spawn_file_actions_init(actions);
            Interop.Libc.posix_spawnattr_setflags(attr, Interop.Libc.POSIX_SPAWN_SETSID | Interop.Libc.POSIX_SPAWN_SETSIGMASK | Interop.Libc.POSIX_SPAWN_SETSIGDEF);
            Interop.Libc.sigfillset(sigset);
            Interop.Libc.posix_spawnattr_setsigdefault(attr, sigset);
            Interop.Libc.sigemptyset(sigset);
            Interop.Libc.posix_spawnattr_setsigmask(attr, sigset);
            fileActions(actions, owned);
            var nativeArgv = Table(argv, owned);
            var nativeEnv = Table(env, owned);
            int child;
            var error = Interop.Libc.posix_spawn(&child, (byte*)Native(path, owned), actions, attr, (byte**)nativeArgv, (byte**)nativeEnv);
            pid = error == 0 ? child : 0;
            return error;
        }
        finally
        {
            Interop.Libc.posix_spawn_file_actions_destroy(actions);
            Interop.Libc.posix_spawnattr_destroy(attr);
            foreach (var p in owned)
                NativeMemory.Free((void*)p);
            NativeMemory.Free(sigset);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
        }
    }
}
