using AgentFense.Init.Protocol;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>One spawned process: its pipes, credit, deadline and, once reaped, its wait status.</summary>
internal sealed class Job
{
    public Job(uint id, JobKind kind, string command)
    {
        Id = id;
        Kind = kind;
        Command = command;
    }

    public uint Id { get; }

    public JobKind Kind { get; }

    public string Command { get; }

    public int Pid { get; set; }

    /// <summary>Polls readable when the process exits; closed once reaped.</summary>
    public SafeFileHandle? PidFd { get; set; }

    public long StartTicks { get; set; }

    public OutputPipe? Stdout { get; set; }

    /// <summary>Null on a PTY (stdout carries everything).</summary>
    public OutputPipe? Stderr { get; set; }

    /// <summary>Stdin writer (a pipe, or a dup of the PTY master); null for /dev/null or once closed.</summary>
    public StdinPipe? Stdin { get; set; }

    /// <summary>The PTY slave, held open by init until the process exits so the master never reads a premature hangup.</summary>
    public SafeFileHandle? PtySlave { get; set; }

    /// <summary>The PTY master (owned by <see cref="Stdout"/>), for resizes.</summary>
    public SafeFileHandle? PtyMaster { get; set; }

    /// <summary>Output bytes the engine can still take.</summary>
    public long Credit { get; set; }

    /// <summary>Stopwatch ticks when the timeout kills the group; 0 for none.</summary>
    public long DeadlineTicks { get; set; }

    public ExitFlags Flags { get; set; }

    public bool Exited { get; set; }

    public int WaitStatus { get; set; }

    public long ExitTicks { get; set; }

    /// <summary>The exit frame went out (exec) or the result is final (background).</summary>
    public bool Finished { get; set; }

    public ExitStatus Result { get; set; }

    /// <summary>Requests waiting for a background process to finish.</summary>
    public List<uint>? Waiters { get; set; }

    /// <summary>The session this shell belongs to.</summary>
    public Session? Session { get; set; }

    public bool PipesClosed => Stdout?.IsOpen != true && Stderr?.IsOpen != true;

    /// <summary>True when this output pipe should be polled: the engine has credit, or the bytes are dropped or kept locally.</summary>
    public bool WantsOutput(OutputPipe pipe) =>
        pipe.IsOpen && (Session is { } session ? session.WantsRead(pipe) : Kind == JobKind.Background || pipe.Discarding || Credit > 0);

    public void DisposeHandles()
    {
        Stdout?.Close();
        Stderr?.Close();
        Stdin?.Close();
        Stdin = null;
        PidFd?.Dispose();
        PidFd = null;
        PtySlave?.Dispose();
        PtySlave = null;
    }
}
