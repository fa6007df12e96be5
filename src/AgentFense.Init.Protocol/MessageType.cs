namespace AgentFense.Init.Protocol;

/// <summary>The type byte of a frame. Values below 0x40 flow engine to init, from 0x40 init to engine; <see cref="Credit"/> flows both ways.</summary>
public enum MessageType : byte
{
    /// <summary>Run a command (<see cref="ExecRequest"/>).</summary>
    Exec = 0x01,

    /// <summary>Stdin bytes for a command; the payload is the raw data.</summary>
    Stdin = 0x02,

    /// <summary>End of a command's stdin; empty payload.</summary>
    StdinClose = 0x03,

    /// <summary>A credit grant (<see cref="CreditGrant"/>): output bytes (engine to init) or stdin bytes (init to engine).</summary>
    Credit = 0x04,

    /// <summary>Kill the request's process group (and what it left behind); empty payload. The exit reports it as cancelled.</summary>
    Cancel = 0x05,

    /// <summary>Send a signal (<see cref="SignalRequest"/>) to the process group of the request or background process with this id.</summary>
    Signal = 0x06,

    /// <summary>List background processes; answered with <see cref="ProcessList"/>.</summary>
    ListProcesses = 0x07,

    /// <summary>Wait for a background process (<see cref="ProcessRef"/>); answered with <see cref="Exit"/>.</summary>
    WaitProcess = 0x08,

    /// <summary>Read buffered output of a background process (<see cref="ReadOutputRequest"/>); answered with <see cref="OutputData"/>.</summary>
    ReadOutput = 0x09,

    /// <summary>Forget a background process (<see cref="ProcessRef"/>), killing it if it still runs; answered with <see cref="Ok"/>.</summary>
    ReleaseProcess = 0x0A,

    /// <summary>Start a session shell (<see cref="SessionCreateRequest"/>); answered with <see cref="Started"/>.</summary>
    SessionCreate = 0x0B,

    /// <summary>Run one command in a session (<see cref="SessionExecRequest"/>); answered like <see cref="Exec"/>.</summary>
    SessionExec = 0x0C,

    /// <summary>End a session (<see cref="ProcessRef"/> naming it); answered with <see cref="Ok"/>.</summary>
    SessionClose = 0x0D,

    /// <summary>Resize the PTY (<see cref="ResizeRequest"/>) of the exec or session with this id; not answered (the id is a running command's).</summary>
    Resize = 0x0E,

    /// <summary>Init is ready (<see cref="Hello"/>); request id 0.</summary>
    Hello = 0x40,

    /// <summary>A process or session started (<see cref="Started"/>).</summary>
    Started = 0x41,

    /// <summary>Output bytes of one stream: a <see cref="OutputStream"/> byte, then the raw data.</summary>
    Output = 0x42,

    /// <summary>A command ended (<see cref="ExitStatus"/>); the last frame of its request.</summary>
    Exit = 0x43,

    /// <summary>Background processes (<see cref="ProcessList"/>).</summary>
    ProcessList = 0x45,

    /// <summary>Buffered output of a background process (<see cref="OutputData"/>).</summary>
    OutputData = 0x46,

    /// <summary>A request succeeded; empty payload.</summary>
    Ok = 0x47,

    /// <summary>A request failed (<see cref="ErrorReply"/>); the last frame of its request.</summary>
    Error = 0x48,
}
