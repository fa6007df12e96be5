namespace AgentFense.Init.Protocol;

/// <summary>Why init refused or failed a request (<see cref="ErrorReply"/>).</summary>
public enum ErrorCode : ushort
{
    /// <summary>The request was malformed or named an unknown message.</summary>
    BadRequest = 1,

    /// <summary>The request id is already in use.</summary>
    DuplicateId = 2,

    /// <summary>The request names a process, session or request that does not exist.</summary>
    NotFound = 3,

    /// <summary>The program could not be started (the errno says why: ENOENT, EACCES, ...).</summary>
    SpawnFailed = 4,

    /// <summary>The working directory does not exist or is not a directory.</summary>
    BadWorkingDirectory = 5,

    /// <summary>The session runs another command and the request asked not to wait.</summary>
    SessionBusy = 6,

    /// <summary>The session's shell has exited.</summary>
    SessionClosed = 7,

    /// <summary>A system call failed (the errno says which error).</summary>
    SystemError = 8,

    /// <summary>The request was cancelled before it ran (a queued session command).</summary>
    Cancelled = 9,
}
