using System.Runtime.InteropServices;
using System.Text;

namespace AgentFense.Init;

/// <summary>
/// Starts a program with posix_spawn: argv and envp are built in native memory before the call,
/// and the child does only libc's work (reset every signal to default and unblock all, setsid so
/// the command leads its own session and process group, wire stdio, chdir) before execve.
/// </summary>
internal static unsafe class Spawner
{
    private static ReadOnlySpan<byte> DevNull => "/dev/null\0"u8;

    /// <summary>Where the child's stdio comes from.</summary>
    /// <param name="Stdin">fd for stdin, or -1 for /dev/null.</param>
    /// <param name="Stdout">fd for stdout.</param>
    /// <param name="Stderr">fd for stderr.</param>
    /// <param name="Extra">fd to appear as fd 3 in the child, or -1.</param>
    /// <param name="PtyPath">When set, the PTY slave opened as 0, 1 and 2 (it becomes the controlling terminal after setsid).</param>
    internal readonly record struct Stdio(int Stdin, int Stdout, int Stderr, int Extra = -1, string? PtyPath = null);

    /// <summary>Spawns; returns 0 and the pid, or an error number.</summary>
    internal static int Spawn(string path, string[] argv, string[] env, string? workingDirectory, in Stdio stdio, out int pid)
    {
        var attr = NativeMemory.AllocZeroed(Interop.Libc.PosixSpawnOpaqueSize);
        var actions = NativeMemory.AllocZeroed(Interop.Libc.PosixSpawnOpaqueSize);
        var sigset = NativeMemory.AllocZeroed(Interop.Libc.SigSetSize);
        byte* strings = null;
        try
        {
            var error = Prepare(attr, actions, sigset, workingDirectory, stdio);
            if (error != 0)
            {
                pid = 0;
                return error;
            }
            strings = BuildStrings(path, argv, env, out var nativePath, out var nativeArgv, out var nativeEnv);
            int child;
            error = Interop.Libc.posix_spawn(&child, nativePath, actions, attr, nativeArgv, nativeEnv);
            pid = error == 0 ? child : 0;
            return error;
        }
        finally
        {
            Interop.Libc.posix_spawn_file_actions_destroy(actions);
            Interop.Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(strings);
            NativeMemory.Free(sigset);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
        }
    }

    private static int Prepare(void* attr, void* actions, void* sigset, string? workingDirectory, in Stdio stdio)
    {
        int error;
        if ((error = Interop.Libc.posix_spawnattr_init(attr)) != 0 || (error = Interop.Libc.posix_spawn_file_actions_init(actions)) != 0)
            return error;
        Interop.Libc.posix_spawnattr_setflags(attr,
            Interop.Libc.POSIX_SPAWN_SETSID | Interop.Libc.POSIX_SPAWN_SETSIGMASK | Interop.Libc.POSIX_SPAWN_SETSIGDEF);
        // Init ignores SIGPIPE; an ignored disposition survives exec, so every signal is reset.
        Interop.Libc.sigfillset(sigset);
        Interop.Libc.posix_spawnattr_setsigdefault(attr, sigset);
        Interop.Libc.sigemptyset(sigset);
        Interop.Libc.posix_spawnattr_setsigmask(attr, sigset);

        if (stdio.PtyPath is not null)
        {
            error = AddOpen(actions, 0, stdio.PtyPath, Interop.Libc.O_RDWR);
            error = error != 0 ? error : Interop.Libc.posix_spawn_file_actions_adddup2(actions, 0, 1);
            error = error != 0 ? error : Interop.Libc.posix_spawn_file_actions_adddup2(actions, 0, 2);
        }
        else
        {
            error = stdio.Stdin < 0
                ? AddOpen(actions, 0, DevNull, Interop.Libc.O_RDONLY)
                : Interop.Libc.posix_spawn_file_actions_adddup2(actions, stdio.Stdin, 0);
            error = error != 0 ? error : Interop.Libc.posix_spawn_file_actions_adddup2(actions, stdio.Stdout, 1);
            error = error != 0 ? error : Interop.Libc.posix_spawn_file_actions_adddup2(actions, stdio.Stderr, 2);
        }
        if (error == 0 && stdio.Extra >= 0)
            error = Interop.Libc.posix_spawn_file_actions_adddup2(actions, stdio.Extra, 3);
        if (error == 0 && !string.IsNullOrEmpty(workingDirectory))
        {
            var dir = ToCString(workingDirectory);
            fixed (byte* p = dir)
                error = Interop.Libc.posix_spawn_file_actions_addchdir_np(actions, p);
        }
        return error;
    }

    private static int AddOpen(void* actions, int fd, string path, int flags) => AddOpen(actions, fd, ToCString(path), flags);

    private static int AddOpen(void* actions, int fd, ReadOnlySpan<byte> cpath, int flags)
    {
        fixed (byte* p = cpath)
            return Interop.Libc.posix_spawn_file_actions_addopen(actions, fd, p, flags, 0);
    }

    private static byte[] ToCString(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>One native block: the pointer arrays first, then every NUL-terminated string.</summary>
    private static byte* BuildStrings(string path, string[] argv, string[] env, out byte* nativePath, out byte** nativeArgv, out byte** nativeEnv)
    {
        var pointers = (argv.Length + 1 + env.Length + 1) * sizeof(nint);
        var size = pointers + Encoding.UTF8.GetByteCount(path) + 1;
        foreach (var s in argv)
            size += Encoding.UTF8.GetByteCount(s) + 1;
        foreach (var s in env)
            size += Encoding.UTF8.GetByteCount(s) + 1;
        var block = (byte*)NativeMemory.Alloc((nuint)size);
        var table = (byte**)block;
        var cursor = block + pointers;
        var end = block + size;
        nativePath = Put(path, ref cursor, end);
        nativeArgv = table;
        for (var i = 0; i < argv.Length; i++)
            *table++ = Put(argv[i], ref cursor, end);
        *table++ = null;
        nativeEnv = table;
        for (var i = 0; i < env.Length; i++)
            *table++ = Put(env[i], ref cursor, end);
        *table = null;
        return block;
    }

    private static byte* Put(string value, ref byte* cursor, byte* end)
    {
        var start = cursor;
        var written = Encoding.UTF8.GetBytes(value, new Span<byte>(cursor, (int)(end - cursor)));
        cursor[written] = 0;
        cursor += written + 1;
        return start;
    }
}
