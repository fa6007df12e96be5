using System.Diagnostics;
using System.Text;
using AgentFense.Init.Protocol;

namespace AgentFense.Init;

/// <summary>
/// Sessions. Overview: a shell (bash if present, else sh) reads command lines from a pipe (or a
/// PTY). Each command is sent as <c>command eval '&lt;quoted&gt;' &lt;/dev/null</c> followed by two printf
/// markers carrying a per-session random token: one on stdout with <c>$?</c>, one on stderr. The
/// command runs in the shell itself, so cd, exports and functions persist; <c>command</c> keeps a
/// syntax error from ending a POSIX sh; stdin from /dev/null keeps the command from eating the
/// following lines. A stream's output ends at its marker; the command ends when both were seen
/// (a PTY has one stream and one marker). Timeout or cancel kills every process of the shell's
/// session but the shell, which then prints its markers; if it does not within a second, the shell
/// is killed and the session ends.
/// </summary>
internal sealed partial class InitServer
{
    private static readonly long s_sessionGraceTicks = 1000 * s_ticksPerMs;
    private readonly Dictionary<uint, Session> _sessions = [];
    private readonly Dictionary<uint, Session> _sessionCommands = [];
    private readonly HashSet<uint> _closedSessions = [];

    private void CreateSession(uint id, SessionCreateRequest request)
    {
        if (id == 0 || IdInUse(id))
        {
            Error(id, ErrorCode.DuplicateId, 0, $"request id {id} is in use");
            return;
        }
        if (request.WorkingDirectory.Length > 0 && !Directory.Exists(request.WorkingDirectory))
        {
            Error(id, ErrorCode.BadWorkingDirectory, Errno.ENOENT, $"working directory '{request.WorkingDirectory}' does not exist");
            return;
        }
        var shellPath = request.Shell.Length > 0 ? request.Shell
            : File.Exists("/bin/bash") ? "/bin/bash"
            : File.Exists("/usr/bin/bash") ? "/usr/bin/bash"
            : "/bin/sh";
        var isBash = Path.GetFileName(shellPath) == "bash";
        string[] argv = isBash ? [shellPath, "--norc", "--noprofile", "--noediting"] : [shellPath];
        var env = request.Env;
        if (request.Pty)
            env = [.. env, "PS1=", "PS2=", .. HasVariable(env, "TERM") ? Array.Empty<string>() : ["TERM=xterm-256color"]];
        var shell = new Job(id, JobKind.Shell, shellPath);
        var error = request.Pty
            ? SpawnOnPty(shell, shellPath, argv, env, request.WorkingDirectory, long.MaxValue, request.PtyColumns, request.PtyRows, out var message, disableEcho: true)
            : SpawnWithPipes(shell, shellPath, argv, env, request.WorkingDirectory, long.MaxValue, StdinMode.Stream, out message);
        if (error != 0)
        {
            Error(id, ErrorCode.SpawnFailed, error, message);
            return;
        }
        var session = new Session(id, shell, request.Pty, Convert.ToHexString(RandomToken()));
        shell.Session = session;
        _sessions.Add(id, session);
        // The setup line drops whatever the shell prints first (an interactive PTY shell's prompt)
        // and answers the create request once the shell has run a command.
        var setup = request.Pty ? "PS1=''; PS2=''; unset PROMPT_COMMAND 2>/dev/null; true" : "true";
        StartSessionCommand(session, new SessionCommand(id, new SessionExecRequest { SessionId = id, Command = setup }, isSetup: true));
    }

    /// <summary>
    /// Eight random bytes from getrandom(2). Not RandomNumberGenerator: in a NativeAOT binary it loads libssl,
    /// which a box's image need not have (busybox, slim images), and init would abort.
    /// </summary>
    private static unsafe byte[] RandomToken()
    {
        var token = new byte[8];
        var filled = 0;
        fixed (byte* p = token)
        {
            while (filled < token.Length)
            {
                var n = Interop.Libc.getrandom(p + filled, (nuint)(token.Length - filled), 0);
                if (n > 0)
                    filled += (int)n;
                else if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EINTR)
                    throw new InvalidOperationException($"getrandom failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
        }
        return token;
    }

    private static bool HasVariable(string[] env, string name)
    {
        foreach (var entry in env)
        {
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private void SessionExec(uint id, SessionExecRequest request)
    {
        if (id == 0 || IdInUse(id))
        {
            Error(id, ErrorCode.DuplicateId, 0, $"request id {id} is in use");
            return;
        }
        if (!_sessions.TryGetValue(request.SessionId, out var session) || session.Ending || session.Shell.Exited)
        {
            var closed = _closedSessions.Contains(request.SessionId) || session is not null;
            Error(id, closed ? ErrorCode.SessionClosed : ErrorCode.NotFound, 0,
                closed ? $"session {request.SessionId} has ended" : $"no session {request.SessionId}");
            return;
        }
        var command = new SessionCommand(id, request, isSetup: false);
        if (session.Current is not null)
        {
            if (!request.WaitIfBusy)
            {
                Error(id, ErrorCode.SessionBusy, 0, $"session {request.SessionId} is running request {session.Current.Id}");
                return;
            }
            session.Waiting.Enqueue(command);
            _sessionCommands.Add(id, session);
            return;
        }
        _sessionCommands.Add(id, session);
        StartSessionCommand(session, command);
    }

    private void StartSessionCommand(Session session, SessionCommand command)
    {
        session.Current = command;
        command.StartTicks = Now;
        if (command.Request.TimeoutMs > 0)
            command.DeadlineTicks = command.StartTicks + command.Request.TimeoutMs * s_ticksPerMs;
        command.StderrDone = session.IsPty;
        session.StdoutScan.Reset();
        session.StderrScan.Reset();
        session.Shell.Stdin?.Enqueue(Encoding.UTF8.GetBytes(CommandLine(session, command.Request.Command)));
        FlushStdin(session.Shell);
    }

    /// <summary>The line written to the shell for one command (see the overview).</summary>
    private static string CommandLine(Session session, string command)
    {
        var quoted = "'" + command.Replace("'", "'\\''") + "'";
        var marker = $"printf '\\037AF{session.Token}:%d\\036' \"$?\"";
        return session.IsPty
            ? $"command eval {quoted}; {marker}\n"
            : $"command eval {quoted} </dev/null; {marker}; printf '\\037AF{session.Token}\\036' >&2\n";
    }

    private unsafe void ReadSessionOutput(Session session, OutputPipe pipe)
    {
        var command = session.Current;
        var stdout = pipe.Stream == OutputStream.Stdout;
        var active = command is { IsSetup: false } && !(stdout ? command.StdoutDone : command.StderrDone) && !session.Ending;
        var max = ReadChunk;
        if (active && (stdout ? command!.StdoutDelivered : command!.StderrDelivered) < command.Limit)
            max = (int)Math.Clamp(command.Credit, 0, max);
        if (max <= 0)
            return;
        nint n;
        fixed (byte* p = _scratch)
            n = Interop.Libc.read(pipe.Fd!, p, (nuint)max);
        if (n <= 0)
        {
            if (n == 0 || System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is not (Errno.EAGAIN or Errno.EINTR))
                pipe.Close();
            return;
        }
        if (command is null || session.Ending || (stdout ? command.StdoutDone : command.StderrDone))
            return; // idle: background jobs of the session; dropped
        var scanner = stdout ? session.StdoutScan : session.StderrScan;
        var found = scanner.Feed(_scratch.AsSpan(0, (int)n), data => EmitSessionOutput(command, pipe.Stream, data), out var status);
        if (!found)
            return;
        if (stdout)
        {
            command.StdoutDone = true;
            command.Status = status;
        }
        else
        {
            command.StderrDone = true;
        }
        if (command.StdoutDone && command.StderrDone)
            FinishSessionCommand(session, command);
    }

    private void EmitSessionOutput(SessionCommand command, OutputStream stream, ReadOnlySpan<byte> data)
    {
        if (command.IsSetup || data.IsEmpty)
            return;
        var stdout = stream == OutputStream.Stdout;
        var delivered = stdout ? command.StdoutDelivered : command.StderrDelivered;
        var take = (int)Math.Min(data.Length, command.Limit - delivered);
        if (take < data.Length)
        {
            if (stdout)
                command.StdoutTruncated = true;
            else
                command.StderrTruncated = true;
        }
        if (take <= 0)
            return;
        _out.WriteOutputFrame(command.Id, stream, data[..take]);
        if (stdout)
            command.StdoutDelivered += take;
        else
            command.StderrDelivered += take;
        command.Credit -= take;
    }

    private void FinishSessionCommand(Session session, SessionCommand command)
    {
        session.Current = null;
        session.GraceDeadline = 0;
        if (command.IsSetup)
        {
            _out.WriteFrame(session.Id, new Started(session.Shell.Pid));
        }
        else
        {
            _sessionCommands.Remove(command.Id);
            _out.WriteFrame(command.Id, CommandStatus(command, command.Status, 0, ExitFlags.None));
        }
        if (session.Waiting.TryDequeue(out var next))
            StartSessionCommand(session, next);
    }

    private ExitStatus CommandStatus(SessionCommand command, int code, int signal, ExitFlags extra)
    {
        var flags = command.Flags | extra;
        if (command.StdoutTruncated)
            flags |= ExitFlags.StdoutTruncated;
        if (command.StderrTruncated)
            flags |= ExitFlags.StderrTruncated;
        return new ExitStatus(code, signal, (Now - command.StartTicks) * 1_000_000 / Stopwatch.Frequency, flags);
    }

    private Job? SessionCommandJob(uint id) =>
        _sessionCommands.TryGetValue(id, out var session) && session.Current?.Id == id && session.IsPty ? session.Shell : null;

    private void SessionCredit(uint id, uint bytes)
    {
        if (_sessionCommands.TryGetValue(id, out var session))
        {
            if (session.Current?.Id == id)
                session.Current.Credit += bytes;
            else
            {
                foreach (var waiting in session.Waiting)
                {
                    if (waiting.Id == id)
                        waiting.Credit += bytes;
                }
            }
        }
    }

    private void CancelSessionCommand(uint id)
    {
        if (!_sessionCommands.TryGetValue(id, out var session))
            return;
        if (session.Current?.Id == id)
        {
            KillSessionCommand(session, ExitFlags.Cancelled);
            return;
        }
        // Still queued: it never ran.
        var kept = session.Waiting.Where(c => c.Id != id).ToArray();
        session.Waiting.Clear();
        foreach (var command in kept)
            session.Waiting.Enqueue(command);
        _sessionCommands.Remove(id);
        Error(id, ErrorCode.Cancelled, 0, "cancelled before it ran");
    }

    private bool SignalSessionCommand(uint id, int signal)
    {
        if (!_sessionCommands.TryGetValue(id, out var session) || session.Current?.Id != id)
            return false;
        foreach (var pid in EnumeratePids())
        {
            if (pid != session.Shell.Pid && ReadStat(pid, out _, out var sid) && sid == session.Shell.Pid)
                Interop.Libc.kill(pid, signal);
        }
        return true;
    }

    private void KillSessionCommand(Session session, ExitFlags reason)
    {
        if (session.Current is not { } command)
            return;
        command.Flags |= reason;
        command.DeadlineTicks = 0;
        KillSession(session.Shell.Pid, except: session.Shell.Pid);
        SweepSoon();
        session.GraceDeadline = Now + s_sessionGraceTicks;
    }

    private void CheckSessionDeadlines(long now)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Current is { DeadlineTicks: > 0 } command && now >= command.DeadlineTicks)
                KillSessionCommand(session, ExitFlags.TimedOut);
            if (session.GraceDeadline > 0 && now >= session.GraceDeadline)
            {
                session.GraceDeadline = 0;
                EndSession(session);
            }
        }
    }

    /// <summary>Kills the shell and everything in its session; the session is reported closed once it is reaped.</summary>
    private void EndSession(Session session)
    {
        session.Ending = true;
        SweepSoon();
        if (!session.Shell.Exited)
            Interop.Libc.kill(-session.Shell.Pid, Interop.Libc.SIGKILL);
        KillSession(session.Shell.Pid, except: 0);
        session.Shell.Stdin?.Close();
        session.Shell.Stdin = null;
    }

    private void CloseSession(uint id, uint target)
    {
        if (!_sessions.TryGetValue(target, out var session))
        {
            Error(id, _closedSessions.Contains(target) ? ErrorCode.SessionClosed : ErrorCode.NotFound, 0, $"no session {target}");
            return;
        }
        EndSession(session);
        Ok(id);
    }

    /// <summary>Removes sessions whose shell was reaped and whose pipes are closed, answering what was in flight.</summary>
    private void CompleteSessions(long now)
    {
        List<Session>? ended = null;
        foreach (var session in _sessions.Values)
        {
            var shell = session.Shell;
            if (!shell.Exited)
                continue;
            if (!shell.PipesClosed && now >= shell.ExitTicks + s_exitGraceTicks)
            {
                shell.Stdout?.Close();
                shell.Stderr?.Close();
            }
            if (shell.PipesClosed)
                (ended ??= []).Add(session);
        }
        if (ended is null)
            return;
        foreach (var session in ended)
        {
            var shell = session.Shell;
            shell.Finished = true;
            shell.Result = MakeStatus(shell);
            shell.DisposeHandles();
            if (session.Current is { } command)
            {
                if (command.IsSetup)
                {
                    Error(session.Id, ErrorCode.SessionClosed, 0, $"the session shell exited at start (status {shell.Result.ShellExitCode})");
                }
                else
                {
                    _sessionCommands.Remove(command.Id);
                    var result = shell.Result;
                    _out.WriteFrame(command.Id, CommandStatus(command, result.ExitCode, result.Signal, ExitFlags.SessionEnded));
                }
            }
            foreach (var waiting in session.Waiting)
            {
                _sessionCommands.Remove(waiting.Id);
                Error(waiting.Id, ErrorCode.SessionClosed, 0, $"session {session.Id} has ended");
            }
            _sessions.Remove(session.Id);
            _closedSessions.Add(session.Id);
        }
    }
}
