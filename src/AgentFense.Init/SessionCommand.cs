using AgentFense.Init.Protocol;

namespace AgentFense.Init;

/// <summary>The command a session runs now (or the internal setup command that makes the shell ready).</summary>
internal sealed class SessionCommand
{
    public SessionCommand(uint id, SessionExecRequest request, bool isSetup)
    {
        Id = id;
        Request = request;
        IsSetup = isSetup;
        Limit = request.OutputLimit > 0 ? request.OutputLimit : InitProtocol.DefaultOutputLimit;
        Credit = request.InitialCredit;
    }

    public uint Id { get; }

    public SessionExecRequest Request { get; }

    /// <summary>The setup line sent when the session starts: its output is dropped and its end answers the create request.</summary>
    public bool IsSetup { get; }

    public long Limit { get; }

    public long Credit { get; set; }

    public long StdoutDelivered { get; set; }

    public long StderrDelivered { get; set; }

    public bool StdoutTruncated { get; set; }

    public bool StderrTruncated { get; set; }

    public bool StdoutDone { get; set; }

    public bool StderrDone { get; set; }

    public int Status { get; set; }

    public long StartTicks { get; set; }

    public long DeadlineTicks { get; set; }

    public ExitFlags Flags { get; set; }

    public bool Started { get; set; }
}
