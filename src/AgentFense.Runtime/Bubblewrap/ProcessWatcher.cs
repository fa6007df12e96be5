using System.Runtime.InteropServices;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// Waits for many processes on one thread: a pidfd per process (readable once it has exited)
/// polled together with an eventfd that wakes the loop when a process is added.
/// </summary>
/// <remarks>
/// Overview: children of this process are reaped with waitpid(pid, WNOHANG) once their pidfd is
/// readable, and only them — never waitpid(-1), which would steal the exit status of children
/// System.Diagnostics.Process or InitProcess wait for. A pid whose process is already gone
/// (pidfd_open ESRCH) completes at once. One thread serves every box, instead of a blocked thread
/// per box.
/// </remarks>
internal static class ProcessWatcher
{
    private static readonly Lock s_lock = new();
    private static readonly List<Watch> s_watches = [];
    private static readonly Lazy<int> s_wakeFd = new(Start);

    /// <summary>Completes when <paramref name="pid"/> exits; with <paramref name="reap"/>, reaps it (it must be a child) and returns its exit code or 128 + signal, else -1.</summary>
    public static Task<int> WaitAsync(int pid, bool reap) => WaitAsync(pid, Interop.Libc.pidfd_open(pid), reap);

    /// <summary>As <see cref="WaitAsync(int, bool)"/> with a pidfd opened earlier (while the pid surely named this process); the watcher takes it over.</summary>
    public static Task<int> WaitAsync(int pid, int pidfd, bool reap)
    {
        var wake = s_wakeFd.Value;
        if (pidfd < 0)
            return Task.FromResult(reap ? TryReap(pid) : -1);
        var watch = new Watch(pid, pidfd, reap);
        lock (s_lock)
            s_watches.Add(watch);
        Wake(wake);
        return watch.Done.Task;
    }

    /// <summary>Reaps <paramref name="pid"/> if it is an exited child of this process; returns its status, or -1.</summary>
    public static int TryReap(int pid) => Reap(pid, Interop.Libc.WNOHANG);

    // Blocking (options 0) is safe once the pidfd is readable: the child has exited, or it is not ours (ECHILD at once).
    private static unsafe int Reap(int pid, int options)
    {
        int status;
        int result;
        do
            result = Interop.Libc.waitpid(pid, &status, options);
        while (result < 0 && Marshal.GetLastPInvokeError() == 4); // EINTR
        if (result != pid)
            return -1;
        return Interop.Libc.WIFSIGNALED(status) ? 128 + Interop.Libc.WTERMSIG(status) : Interop.Libc.WEXITSTATUS(status);
    }

    private static unsafe void Wake(int fd)
    {
        ulong one = 1;
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false);
        Interop.Libc.write(handle, (byte*)&one, sizeof(ulong));
    }

    private static int Start()
    {
        var fd = Interop.Libc.eventfd(0, Interop.Libc.EFD_CLOEXEC | Interop.Libc.EFD_NONBLOCK);
        if (fd < 0)
            throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        var thread = new Thread(() => Loop(fd)) { IsBackground = true, Name = "agentfense process watcher" };
        thread.Start();
        return fd;
    }

    private static unsafe void Loop(int wakeFd)
    {
        var polled = new List<Watch>();
        while (true)
        {
            polled.Clear();
            lock (s_lock)
                polled.AddRange(s_watches);
            var fds = new Interop.Libc.pollfd[polled.Count + 1];
            fds[0] = new Interop.Libc.pollfd { fd = wakeFd, events = Interop.Libc.POLLIN };
            for (var i = 0; i < polled.Count; i++)
                fds[i + 1] = new Interop.Libc.pollfd { fd = polled[i].PidFd, events = Interop.Libc.POLLIN };
            int ready;
            fixed (Interop.Libc.pollfd* p = fds)
                ready = Interop.Libc.poll(p, (nuint)fds.Length, -1);
            if (ready < 0)
                continue; // EINTR
            if (fds[0].revents != 0)
            {
                ulong drained;
                using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(wakeFd, ownsHandle: false);
                Interop.Libc.read(handle, (byte*)&drained, sizeof(ulong));
            }
            for (var i = 0; i < polled.Count; i++)
            {
                if (fds[i + 1].revents == 0)
                    continue;
                var watch = polled[i];
                lock (s_lock)
                    s_watches.Remove(watch);
                var code = watch.Reap ? Reap(watch.Pid, 0) : -1;
                Interop.Libc.close(watch.PidFd);
                watch.Done.TrySetResult(code);
            }
        }
    }

    private sealed class Watch(int pid, int pidFd, bool reap)
    {
        public int Pid { get; } = pid;

        public int PidFd { get; } = pidFd;

        public bool Reap { get; } = reap;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
