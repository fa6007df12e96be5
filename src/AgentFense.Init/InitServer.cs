using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentFense.Init.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>
/// The event loop of agentfense-init.
/// </summary>
/// <remarks>
/// <para><b>Overview.</b> Constraints: one thread, no managed code between fork and exec, no
/// unbounded buffers, and reliable reaping in a process whose runtime owns other threads (so a
/// blocked SIGCHLD read through signalfd can be lost to a runtime thread that does not block it).</para>
/// <para>Scheme: one poll(2) over the engine socket, every child's pidfd (readable when it exits),
/// its stdout/stderr read ends (polled only while the request has output credit, or when the bytes
/// are dropped past the limit or kept for a background process) and its stdin write end (while
/// bytes wait). Any pidfd wake-up, and a sweep every second, run waitpid(-1, WNOHANG) until
/// nothing is left: tracked children get their status, orphans reparented to init (it is PID 1 or a
/// child subreaper) are just reaped. A command is reported (one Exit frame) once it was reaped and
/// both pipes reached end of file — or, if something it left behind holds them open, once a
/// short grace period after its exit found them empty. Timeouts and cancels kill the process
/// group and every process still in the command's session. Frames out are appended to one buffer and
/// written when the socket takes them; when the socket closes, every process is killed and init exits.</para>
/// </remarks>
internal sealed partial class InitServer
{
    private const int ReadChunk = InitProtocol.MaxChunk;
    private static readonly long s_ticksPerMs = Stopwatch.Frequency / 1000;
    private static readonly long s_exitGraceTicks = 50 * s_ticksPerMs;
    private static readonly long s_sweepTicks = 1000 * s_ticksPerMs;
    private static readonly long s_fastSweepTicks = 10 * s_ticksPerMs;

    private readonly SafeFileHandle _socket;
    private readonly WireWriter _out = new(64 * 1024);
    private readonly byte[] _scratch = new byte[ReadChunk];
    private readonly Dictionary<uint, Job> _jobs = [];
    private readonly Dictionary<int, Job> _byPid = [];
    private readonly PollSet _poll = new();
    private byte[] _in = new byte[64 * 1024];
    private int _inLength;
    private long _nextSweep;
    private long _fastSweepUntil;
    private bool _socketClosed;

    public InitServer(SafeFileHandle socket)
    {
        _socket = socket;
    }

    private static long Now => Stopwatch.GetTimestamp();

    /// <summary>Serves until the engine closes the socket, then kills everything; returns the exit code.</summary>
    public int Run()
    {
        _out.WriteFrame(0, new Hello(InitProtocol.Version, Environment.ProcessId));
        _nextSweep = Now + s_sweepTicks;
        while (!_socketClosed)
        {
            Flush();
            if (_socketClosed)
                break;
            BuildPollSet();
            var ready = _poll.Wait(ComputeTimeoutMs());
            if (ready < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                Log($"poll failed: errno {errno}");
                break;
            }
            HandleReady();
            var now = Now;
            if (now >= _nextSweep)
                ReapAll();
            CheckDeadlines(now);
            CompleteJobs(now);
        }
        KillEverything();
        return 0;
    }

    private void BuildPollSet()
    {
        _poll.Clear();
        _poll.Add(_socket, (short)(Interop.Libc.POLLIN | (_out.Length > 0 ? Interop.Libc.POLLOUT : 0)), null, PollKind.Socket);
        foreach (var job in _jobs.Values)
            AddJob(job);
        foreach (var session in _sessions.Values)
            AddJob(session.Shell);
    }

    private void AddJob(Job job)
    {
        if (job.PidFd is not null)
            _poll.Add(job.PidFd, Interop.Libc.POLLIN, job, PollKind.PidFd);
        if (job.Stdout is { } stdout && job.WantsOutput(stdout))
            _poll.Add(stdout.Fd!, Interop.Libc.POLLIN, job, PollKind.Stdout);
        if (job.Stderr is { } stderr && job.WantsOutput(stderr))
            _poll.Add(stderr.Fd!, Interop.Libc.POLLIN, job, PollKind.Stderr);
        if (job.Stdin is { Fd: not null, HasPending: true } stdin)
            _poll.Add(stdin.Fd, Interop.Libc.POLLOUT, job, PollKind.Stdin);
    }

    private int ComputeTimeoutMs()
    {
        var now = Now;
        var next = _nextSweep;
        foreach (var job in _jobs.Values)
            next = Math.Min(next, NextEvent(job));
        foreach (var session in _sessions.Values)
            next = Math.Min(next, session.NextEvent(NextEvent(session.Shell)));
        return next <= now ? 0 : (int)Math.Min((next - now + s_ticksPerMs - 1) / s_ticksPerMs, int.MaxValue);
    }

    private static long NextEvent(Job job)
    {
        var next = long.MaxValue;
        if (job.DeadlineTicks != 0 && !job.Exited)
            next = job.DeadlineTicks;
        if (job.Exited && !job.PipesClosed)
            next = Math.Min(next, job.ExitTicks + s_exitGraceTicks);
        return next;
    }

    private void HandleReady()
    {
        var reap = false;
        var socketReady = false;
        for (var i = 0; i < _poll.Count; i++)
        {
            var revents = _poll.Revents(i);
            if (revents == 0)
                continue;
            var job = _poll.Job(i);
            switch (_poll.Kind(i))
            {
                case PollKind.Socket:
                    socketReady = (revents & (Interop.Libc.POLLIN | Interop.Libc.POLLHUP | Interop.Libc.POLLERR)) != 0;
                    break;
                case PollKind.PidFd:
                    reap = true;
                    break;
                case PollKind.Stdout:
                    ReadOutput(job!, job!.Stdout);
                    break;
                case PollKind.Stderr:
                    ReadOutput(job!, job!.Stderr);
                    break;
                case PollKind.Stdin:
                    FlushStdin(job!);
                    break;
            }
        }
        if (reap)
            ReapAll();
        if (socketReady)
            ReadSocket();
    }

    /// <summary>One read from an output pipe, bounded by the request's credit unless the bytes are dropped or kept.</summary>
    private unsafe void ReadOutput(Job job, OutputPipe? pipe)
    {
        if (pipe?.Fd is null)
            return;
        if (job.Session is { } session)
        {
            ReadSessionOutput(session, pipe);
            return;
        }
        var max = ReadChunk;
        if (job.Kind == JobKind.Exec && !pipe.Discarding)
            max = (int)Math.Min(max, job.Credit);
        if (max <= 0)
            return;
        nint n;
        fixed (byte* p = _scratch)
            n = Interop.Libc.read(pipe.Fd, p, (nuint)max);
        if (n > 0)
        {
            Deliver(job, pipe, _scratch.AsSpan(0, (int)n));
            return;
        }
        if (n < 0 && Marshal.GetLastPInvokeError() is Errno.EAGAIN or Errno.EINTR)
            return;
        pipe.Close(); // end of file, or EIO from a PTY master whose slave side is gone
    }

    private void Deliver(Job job, OutputPipe pipe, ReadOnlySpan<byte> data)
    {
        if (job.Kind == JobKind.Background)
        {
            pipe.Keep(data);
            return;
        }
        var take = (int)Math.Min(data.Length, pipe.Limit - pipe.Delivered);
        if (take < data.Length)
            pipe.Truncated = true;
        if (take <= 0)
            return;
        _out.WriteOutputFrame(job.Id, pipe.Stream, data[..take]);
        pipe.Delivered += take;
        job.Credit -= take;
    }

    private void FlushStdin(Job job)
    {
        var stdin = job.Stdin;
        if (stdin is null)
            return;
        var written = stdin.Flush(out var broken);
        // A shell's stdin carries init's own command lines; the engine's bytes to a session were credited on arrival.
        if (written > 0 && job.Kind != JobKind.Shell)
            _out.WriteFrame(job.Id, new CreditGrant((uint)written));
        if (broken)
        {
            stdin.Close();
        }
        else if (stdin.CloseRequested && !stdin.HasPending)
        {
            CloseStdin(job);
        }
    }

    private static unsafe void CloseStdin(Job job)
    {
        var stdin = job.Stdin;
        if (stdin?.Fd is { } fd && stdin.IsPty)
        {
            // A PTY has no end of file of its own: send the terminal's EOF character (VEOF, ^D).
            byte eof = 4;
            Interop.Libc.write(fd, &eof, 1);
        }
        stdin?.Close();
        job.Stdin = null;
    }

    /// <summary>Reaps every child that exited: tracked ones get their status, orphans are collected.</summary>
    private unsafe void ReapAll()
    {
        var now = Now;
        _nextSweep = now + (now < _fastSweepUntil ? s_fastSweepTicks : s_sweepTicks);
        while (true)
        {
            int status;
            var pid = Interop.Libc.waitpid(-1, &status, Interop.Libc.WNOHANG);
            if (pid <= 0)
                return;
            if (!_byPid.Remove(pid, out var job))
                continue;
            job.Exited = true;
            job.WaitStatus = status;
            job.ExitTicks = Now;
            job.PidFd?.Dispose();
            job.PidFd = null;
            // Init's copy of the PTY slave kept the master from seeing a hangup before the child opened it.
            job.PtySlave?.Dispose();
            job.PtySlave = null;
            // A session shell that exited still has its last command's output in the pipes: CompleteSessions ends it after EOF.
        }
    }

    private void CheckDeadlines(long now)
    {
        foreach (var job in _jobs.Values)
        {
            if (job.DeadlineTicks != 0 && !job.Exited && now >= job.DeadlineTicks)
            {
                job.DeadlineTicks = 0;
                Kill(job, ExitFlags.TimedOut);
            }
        }
        CheckSessionDeadlines(now);
    }

    /// <summary>Reports jobs that exited and whose output is complete (or given up after the grace period).</summary>
    private void CompleteJobs(long now)
    {
        List<uint>? done = null;
        foreach (var job in _jobs.Values)
        {
            if (!job.Exited || job.Finished)
                continue;
            if (!job.PipesClosed && now >= job.ExitTicks + s_exitGraceTicks)
                GiveUpPipes(job);
            if (!job.PipesClosed)
                continue;
            job.Finished = true;
            job.Result = MakeStatus(job);
            job.DisposeHandles();
            if (job.Kind == JobKind.Exec)
            {
                _out.WriteFrame(job.Id, job.Result);
                (done ??= []).Add(job.Id);
            }
            else if (job.Waiters is { } waiters)
            {
                foreach (var waiter in waiters)
                    _out.WriteFrame(waiter, job.Result);
                job.Waiters = null;
            }
        }
        if (done is not null)
        {
            foreach (var id in done)
                _jobs.Remove(id);
        }
        CompleteSessions(now);
    }

    /// <summary>
    /// The command exited but something it left behind holds its pipes: close the ones that poll
    /// found empty (everything the command itself wrote was in the pipe when it exited, and has been read).
    /// A pipe still waiting for credit stays open: its bytes are the command's own.
    /// </summary>
    private static void GiveUpPipes(Job job)
    {
        foreach (var pipe in new[] { job.Stdout, job.Stderr })
        {
            if (pipe is { IsOpen: true } && (job.Kind == JobKind.Background || pipe.Discarding || job.Credit > 0))
                pipe.Close();
        }
    }

    private static ExitStatus MakeStatus(Job job)
    {
        var flags = job.Flags;
        if (job.Stdout?.Truncated == true)
            flags |= ExitFlags.StdoutTruncated;
        if (job.Stderr?.Truncated == true)
            flags |= ExitFlags.StderrTruncated;
        var micros = (job.ExitTicks - job.StartTicks) * 1_000_000 / Stopwatch.Frequency;
        var status = job.WaitStatus;
        return Interop.Libc.WIFSIGNALED(status)
            ? new ExitStatus(-1, Interop.Libc.WTERMSIG(status), micros, flags)
            : new ExitStatus(Interop.Libc.WEXITSTATUS(status), 0, micros, flags);
    }

    /// <summary>Kills the job's process group and every process left in its session.</summary>
    private void Kill(Job job, ExitFlags reason)
    {
        job.Flags |= reason;
        SweepSoon();
        if (job.Exited)
        {
            KillSession(job.Pid, except: 0);
            return;
        }
        Interop.Libc.kill(-job.Pid, Interop.Libc.SIGKILL);
        KillSession(job.Pid, except: 0);
        job.Stdin?.DropAll();
    }

    /// <summary>
    /// Killed processes die a moment later, some of them orphans with no pidfd to wake init: sweep
    /// every 10 ms for the next second so they do not linger as zombies until the 1 s sweep.
    /// </summary>
    private void SweepSoon()
    {
        var now = Now;
        _fastSweepUntil = now + s_sweepTicks;
        _nextSweep = Math.Min(_nextSweep, now + s_fastSweepTicks);
    }

    /// <summary>Writes one line to init's stderr (the box's log), without pulling Console into the binary.</summary>
    internal static unsafe void Log(string message)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes($"agentfense-init: {message}\n");
        using var stderr = new SafeFileHandle(2, ownsHandle: false);
        fixed (byte* p = bytes)
            Interop.Libc.write(stderr, p, (nuint)bytes.Length);
    }
}
