using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>One command a box ran (an exec or a session command), reported when it ended.</summary>
/// <param name="Command">The command line (a shell command, or argv joined by spaces).</param>
/// <param name="SessionId">The init session it ran in (its <see cref="InitSession.Id"/>), or 0 for an exec.</param>
/// <param name="Started">When it was sent to init (UTC).</param>
/// <param name="Exit">How it ended; null when init refused to start it (see <see cref="Error"/>).</param>
/// <param name="Error">Why init could not start it, or the connection was lost; null when it ran.</param>
public sealed record class CommandRecord(string Command, uint SessionId, DateTimeOffset Started, ExitStatus? Exit, string? Error)
{
    /// <summary>How long it ran: init's measure when it exited, else the time until the error.</summary>
    public TimeSpan Duration { get; init; }
}
