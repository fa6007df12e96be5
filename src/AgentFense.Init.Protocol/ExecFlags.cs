namespace AgentFense.Init.Protocol;

/// <summary>Options of an <see cref="ExecRequest"/>.</summary>
[Flags]
public enum ExecFlags : byte
{
    /// <summary>Argv as given; argv[0] is looked up in the request's PATH.</summary>
    None = 0,

    /// <summary>argv[0] is a command line run by <c>/bin/sh -c</c>.</summary>
    Shell = 1,

    /// <summary>Run on a new PTY (stdout carries the terminal; no stderr stream).</summary>
    Pty = 2,

    /// <summary>A background process: init keeps its output for <see cref="MessageType.ReadOutput"/> instead of streaming it.</summary>
    Background = 4,
}
