using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentFense.Init.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

internal sealed partial class InitServer
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const int AT_FDCWD = -100;

    private void StartExec(uint id, ExecRequest request)
    {
        if (id == 0 || IdInUse(id))
        {
            Error(id, ErrorCode.DuplicateId, 0, $"request id {id} is in use");
            return;
        }
        if (request.Argv.Length == 0 || request.Argv[0].Length == 0)
        {
            Error(id, ErrorCode.BadRequest, 0, "exec without a command");
            return;
        }
        if (request.WorkingDirectory.Length > 0 && !Directory.Exists(request.WorkingDirectory))
        {
            Error(id, ErrorCode.BadWorkingDirectory, Errno.ENOENT, $"working directory '{request.WorkingDirectory}' does not exist");
            return;
        }
        var shell = (request.Flags & ExecFlags.Shell) != 0;
        var path = shell ? "/bin/sh" : ResolveProgram(request.Argv[0], request.Env, request.WorkingDirectory);
        string[] argv = shell ? ["/bin/sh", "-c", request.Argv[0]] : request.Argv;
        var kind = (request.Flags & ExecFlags.Background) != 0 ? JobKind.Background : JobKind.Exec;
        var job = new Job(id, kind, string.Join(' ', request.Argv)) { Credit = request.InitialCredit };
        var limit = request.OutputLimit > 0 ? request.OutputLimit : InitProtocol.DefaultOutputLimit;
        var error = (request.Flags & ExecFlags.Pty) != 0
            ? SpawnOnPty(job, path, argv, request.Env, request.WorkingDirectory, limit, request.PtyColumns, request.PtyRows, out var message)
            : SpawnWithPipes(job, path, argv, request.Env, request.WorkingDirectory, limit, request.StdinMode, out message);
        if (error != 0)
        {
            Error(id, ErrorCode.SpawnFailed, error, message);
            return;
        }
        if (request.StdinMode == StdinMode.Bytes && job.Stdin is { } stdin)
        {
            stdin.Enqueue(request.StdinBytes);
            stdin.CloseRequested = true;
            if (!stdin.HasPending)
                CloseStdin(job);
        }
        if (request.TimeoutMs > 0)
            job.DeadlineTicks = job.StartTicks + request.TimeoutMs * s_ticksPerMs;
        _jobs.Add(id, job);
        _out.WriteFrame(id, new Started(job.Pid));
        if (job.Stdin is { HasPending: true })
            FlushStdin(job);
    }

    /// <summary>Looks argv[0] up in the request's own PATH (posix_spawnp would use init's).</summary>
    private static string ResolveProgram(string name, string[] env, string workingDirectory)
    {
        if (name.Contains('/'))
            return name;
        var path = DefaultPath;
        foreach (var entry in env)
        {
            if (entry.StartsWith("PATH=", StringComparison.Ordinal))
                path = entry[5..];
        }
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (!candidate.StartsWith('/') && workingDirectory.Length > 0)
                candidate = Path.Combine(workingDirectory, candidate);
            if (File.Exists(candidate))
                return candidate;
        }
        return name; // posix_spawn reports ENOENT
    }

    private int SpawnWithPipes(Job job, string path, string[] argv, string[] env, string workdir, long limit, StdinMode stdinMode, out string message)
    {
        SafeFileHandle? outR = null, outW = null, errR = null, errW = null, inR = null, inW = null;
        try
        {
            var error = MakePipe(out outR, out outW, readerNonBlocking: true);
            error = error != 0 ? error : MakePipe(out errR, out errW, readerNonBlocking: true);
            if (error == 0 && stdinMode != StdinMode.None)
                error = MakePipe(out inR, out inW, readerNonBlocking: false);
            if (error != 0)
            {
                message = $"pipe2 failed: errno {error}";
                return error;
            }
            var stdio = new Spawner.Stdio(inR is null ? -1 : Fd(inR), Fd(outW!), Fd(errW!));
            error = SpawnTracked(job, path, argv, env, workdir, stdio, out message);
            if (error != 0)
                return error;
            job.Stdout = new OutputPipe(OutputStream.Stdout, outR!, limit);
            job.Stderr = new OutputPipe(OutputStream.Stderr, errR!, limit);
            if (inW is not null)
                job.Stdin = new StdinPipe(inW, isPty: false);
            outR = errR = inW = null;
            return 0;
        }
        finally
        {
            outR?.Dispose();
            outW?.Dispose();
            errR?.Dispose();
            errW?.Dispose();
            inR?.Dispose();
            inW?.Dispose();
        }
    }

    private int SpawnOnPty(Job job, string path, string[] argv, string[] env, string workdir, long limit, ushort cols, ushort rows, out string message, bool disableEcho = false)
    {
        var error = Pty.Open(cols, rows, out var master, out var slave, out var slavePath);
        if (error != 0)
        {
            message = $"opening a pty failed: errno {error}";
            return error;
        }
        if (disableEcho)
            Pty.DisableEcho(slave);
        error = SpawnTracked(job, path, argv, env, workdir, new Spawner.Stdio(-1, -1, -1, PtyPath: slavePath), out message);
        if (error != 0)
        {
            master.Dispose();
            slave.Dispose();
            return error;
        }
        var writer = Pty.Duplicate(master);
        job.Stdout = new OutputPipe(OutputStream.Stdout, master, limit);
        job.Stdin = writer is null ? null : new StdinPipe(writer, isPty: true);
        job.PtyMaster = master;
        job.PtySlave = slave;
        return 0;
    }

    /// <summary>posix_spawn, then a pidfd for the wake-up on exit; registers the pid for reaping.</summary>
    private int SpawnTracked(Job job, string path, string[] argv, string[] env, string workdir, in Spawner.Stdio stdio, out string message)
    {
        job.StartTicks = Now;
        var error = Spawner.Spawn(path, argv, env, workdir.Length > 0 ? workdir : "/", stdio, out var pid);
        if (error != 0)
        {
            message = $"posix_spawn '{path}' failed: errno {error}";
            return error;
        }
        job.Pid = pid;
        var pidfd = Interop.Libc.pidfd_open(pid);
        if (pidfd >= 0)
            job.PidFd = new SafeFileHandle(pidfd, ownsHandle: true);
        else
            _nextSweep = Now; // no pidfd (old kernel, seccomp): the sweep finds the exit
        _byPid[pid] = job;
        message = string.Empty;
        return 0;
    }

    private static unsafe int MakePipe(out SafeFileHandle? read, out SafeFileHandle? write, bool readerNonBlocking)
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.pipe2(fds, Interop.Libc.O_CLOEXEC) != 0)
        {
            read = write = null;
            return Marshal.GetLastPInvokeError();
        }
        read = new SafeFileHandle(fds[0], ownsHandle: true);
        write = new SafeFileHandle(fds[1], ownsHandle: true);
        // Only init's end is non-blocking: O_NONBLOCK lives on the open file description, and the child's end is another one.
        SetNonBlocking(readerNonBlocking ? read : write);
        return 0;
    }

    internal static void SetNonBlocking(SafeFileHandle fd)
    {
        var flags = Interop.Libc.fcntl(fd, Interop.Libc.F_GETFL, 0);
        Interop.Libc.fcntl(fd, Interop.Libc.F_SETFL, flags | Interop.Libc.O_NONBLOCK);
    }

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private void OnStdin(uint id, byte[] data, bool close)
    {
        var job = _jobs.GetValueOrDefault(id);
        if (job is null && SessionCommandJob(id) is { } shell)
        {
            // Only a PTY session takes input for its running command (the terminal); it is credited at once.
            if (data.Length > 0)
                _out.WriteFrame(id, new CreditGrant((uint)data.Length));
            shell.Stdin?.Enqueue(data);
            if (shell.Stdin is not null)
                FlushStdin(shell);
            return;
        }
        var stdin = job?.Stdin;
        if (stdin?.Fd is null)
        {
            // Nobody reads any more: grant the bytes back so the sender never stalls.
            if (data.Length > 0)
                _out.WriteFrame(id, new CreditGrant((uint)data.Length));
            return;
        }
        stdin.Enqueue(data);
        if (close)
            stdin.CloseRequested = true;
        FlushStdin(job!);
    }

    private void OnCredit(uint id, uint bytes)
    {
        if (_jobs.TryGetValue(id, out var job))
            job.Credit += bytes;
        else
            SessionCredit(id, bytes);
    }

    private void OnCancel(uint id)
    {
        if (_jobs.TryGetValue(id, out var job))
            Kill(job, ExitFlags.Cancelled);
        else
            CancelSessionCommand(id);
    }

    private void OnSignal(uint id, int signal)
    {
        if (_jobs.TryGetValue(id, out var job))
        {
            if (!job.Exited)
                Interop.Libc.kill(-job.Pid, signal);
        }
        else if (!SignalSessionCommand(id, signal))
        {
            Error(id, ErrorCode.NotFound, 0, $"no process for request {id}");
        }
    }

    private void Resize(uint id, ResizeRequest size)
    {
        var master = _jobs.GetValueOrDefault(id)?.PtyMaster ?? _sessions.GetValueOrDefault(id)?.Shell.PtyMaster;
        // Fire and forget: the id belongs to a running command, whose frames must stay its own.
        if (master is null || master.IsClosed)
            return;
        var error = Pty.SetSize(master, size.Columns, size.Rows);
        if (error != 0)
            Log($"ioctl(TIOCSWINSZ, {size.Columns}x{size.Rows}) for request {id} failed: errno {error}");
    }
}
