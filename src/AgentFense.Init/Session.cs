using AgentFense.Init.Protocol;

namespace AgentFense.Init;

/// <summary>A persistent shell and the commands queued for it; one runs at a time.</summary>
internal sealed class Session
{
    public Session(uint id, Job shell, bool isPty, string token)
    {
        Id = id;
        Shell = shell;
        IsPty = isPty;
        Token = token;
        StdoutScan = new MarkerScanner(token);
        StderrScan = new MarkerScanner(token);
    }

    public uint Id { get; }

    public Job Shell { get; }

    public bool IsPty { get; }

    /// <summary>Random per session, so a command's own output cannot end it by accident.</summary>
    public string Token { get; }

    public MarkerScanner StdoutScan { get; }

    public MarkerScanner StderrScan { get; }

    public SessionCommand? Current { get; set; }

    public Queue<SessionCommand> Waiting { get; } = new();

    /// <summary>When a killed command's shell must have printed its marker, or be killed too; 0 when not pending.</summary>
    public long GraceDeadline { get; set; }

    /// <summary>The engine closed the session or the shell had to be killed.</summary>
    public bool Ending { get; set; }

    /// <summary>
    /// Reads go on while idle or after this stream's marker (bytes of background jobs, dropped, so
    /// they never block the shell), past the limit, or while the command has credit.
    /// </summary>
    public bool WantsRead(OutputPipe pipe)
    {
        if (Current is not { } command || command.IsSetup || Ending)
            return true;
        var stdout = pipe.Stream == OutputStream.Stdout;
        if (stdout ? command.StdoutDone : command.StderrDone)
            return true;
        var discarding = stdout ? command.StdoutDelivered >= command.Limit : command.StderrDelivered >= command.Limit;
        return discarding || command.Credit > 0;
    }

    public long NextEvent(long shellNext)
    {
        var next = shellNext;
        if (Current is { DeadlineTicks: > 0 } command)
            next = Math.Min(next, command.DeadlineTicks);
        if (GraceDeadline > 0)
            next = Math.Min(next, GraceDeadline);
        return next;
    }
}
