namespace AgentFense.Init.Protocol;

/// <summary>
/// Constants of the wire protocol between the engine and <c>agentfense-init</c>.
/// </summary>
/// <remarks>
/// <para><b>Overview.</b> One stream socket (a socketpair end inherited by init) carries every
/// command, session and background process of one box. Constraints: init is NativeAOT and must
/// stay tiny (no reflection, no serializer); several commands run at once over the one socket;
/// output must never be buffered without bound on either side (a command printing gigabytes must
/// not grow init or the engine); a round trip for a trivial command must cost a few microseconds
/// of encoding, not milliseconds.</para>
/// <para><b>Framing.</b> Every message is a frame: a 12-byte little-endian header
/// <c>u32 payloadLength, u8 type (<see cref="MessageType"/>), u8 flags (0), u16 reserved (0),
/// u32 requestId</c>, then the payload. The engine picks request ids (non-zero, unique among
/// the requests in flight); every frame about one command carries that command's id, so
/// frames of concurrent commands interleave freely. Id 0 is init's own (the
/// <see cref="MessageType.Hello"/> it sends when ready).</para>
/// <para><b>Payloads</b> are fields in a fixed order: integers little-endian, strings and byte
/// arrays as <c>u32 length</c> + bytes (UTF-8 for strings), lists as <c>u32 count</c> + items.
/// <see cref="MessageType.Output"/> and <see cref="MessageType.Stdin"/> carry raw bytes as the rest
/// of the frame, so the hot path copies data once.</para>
/// <para><b>A command.</b> The engine sends <see cref="MessageType.Exec"/> (id N); init answers
/// <see cref="MessageType.Started"/> with the pid, then <see cref="MessageType.Output"/> chunks
/// (stdout and stderr each in order), then exactly one <see cref="MessageType.Exit"/> after all
/// output — or one <see cref="MessageType.Error"/> if it could not start. The engine may send
/// <see cref="MessageType.Stdin"/>/<see cref="MessageType.StdinClose"/>,
/// <see cref="MessageType.Credit"/>, <see cref="MessageType.Cancel"/>,
/// <see cref="MessageType.Signal"/> and <see cref="MessageType.Resize"/> with the same id.</para>
/// <para><b>Back-pressure</b> is credit-based in both directions. Output: the exec request grants
/// an initial number of bytes; init reads the child's pipes only while the request has credit
/// and subtracts every byte it sends; the engine grants more with <see cref="MessageType.Credit"/>
/// as its consumer takes chunks. A child whose reader is slow blocks on its own full pipe, as
/// it would in a terminal. Stdin: the engine may have at most <see cref="StdinWindow"/>
/// unacknowledged stdin bytes in flight; init grants them back with a
/// <see cref="MessageType.Credit"/> once written into the child's pipe.</para>
/// <para><b>Background processes</b> are execs with <see cref="ExecFlags.Background"/>: init
/// answers <see cref="MessageType.Started"/> and keeps their output (up to the limit) for
/// <see cref="MessageType.ReadOutput"/>; the exec's id names the process for
/// <see cref="MessageType.Signal"/>, <see cref="MessageType.WaitProcess"/> and
/// <see cref="MessageType.ReleaseProcess"/>, which are requests with their own ids.</para>
/// <para><b>Sessions</b>: <see cref="MessageType.SessionCreate"/> (id S) starts a shell and
/// answers <see cref="MessageType.Started"/>; <see cref="MessageType.SessionExec"/> (its own id)
/// runs one command in session S and is answered like an exec;
/// <see cref="MessageType.SessionClose"/> ends it. Other requests are answered with
/// <see cref="MessageType.Ok"/> or <see cref="MessageType.Error"/>, except
/// <see cref="MessageType.Credit"/>, <see cref="MessageType.Cancel"/>, <see cref="MessageType.Signal"/>,
/// <see cref="MessageType.Resize"/> and stdin frames, which ride on a running request's id and are
/// not answered (the request's own Exit tells what they did).</para>
/// <para><b>Commands</b> run through <c>/bin/sh -c argv[0]</c> with <see cref="ExecFlags.Shell"/>
/// (further argv entries are ignored), else argv[0] is looked up in the request's own PATH. The
/// environment is exactly the request's; nothing of init's leaks. Each command leads its own
/// session and process group (setsid), which is what a timeout or cancel kills.</para>
/// <para>When the socket closes, init kills every process and exits.</para>
/// </remarks>
public static class InitProtocol
{
    /// <summary>Protocol version sent in <see cref="MessageType.Hello"/>.</summary>
    public const ushort Version = 1;

    /// <summary>Size of a frame header in bytes.</summary>
    public const int HeaderSize = 12;

    /// <summary>Largest payload either side accepts; larger stdin must be streamed in chunks.</summary>
    public const int MaxPayload = 16 * 1024 * 1024;

    /// <summary>Largest data payload init puts in one <see cref="MessageType.Output"/> chunk.</summary>
    public const int MaxChunk = 64 * 1024;

    /// <summary>Default per-stream output limit: bytes past it are read and dropped, and the exit reports truncation.</summary>
    public const long DefaultOutputLimit = 16L * 1024 * 1024;

    /// <summary>Output credit a client grants with a request unless it says otherwise.</summary>
    public const uint DefaultInitialCredit = 1024 * 1024;

    /// <summary>Stdin bytes the engine may send ahead of init's acknowledgements, per request.</summary>
    public const uint StdinWindow = 256 * 1024;
}
