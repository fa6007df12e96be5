namespace AgentFense.Runtime.Init;

/// <summary>Which frame ends a request (see <see cref="PendingRequest.IsFinal"/>).</summary>
internal enum RequestKind
{
    /// <summary>A command: output frames, then Exit (or Error).</summary>
    Command,

    /// <summary>A background start or session create: Started (or Error).</summary>
    Start,

    /// <summary>Any other request: one answer.</summary>
    Single,
}
