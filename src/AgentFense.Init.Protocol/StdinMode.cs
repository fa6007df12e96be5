namespace AgentFense.Init.Protocol;

/// <summary>Where a command's stdin comes from.</summary>
public enum StdinMode : byte
{
    /// <summary>/dev/null: nothing ever waits for input.</summary>
    None = 0,

    /// <summary>The request's <see cref="ExecRequest.StdinBytes"/>, then end of file.</summary>
    Bytes = 1,

    /// <summary><see cref="MessageType.Stdin"/> frames until <see cref="MessageType.StdinClose"/>.</summary>
    Stream = 2,
}
