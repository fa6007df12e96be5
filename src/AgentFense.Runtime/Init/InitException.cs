using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>Init refused or failed a request (an <see cref="ErrorReply"/>), or the connection to it is gone.</summary>
public sealed class InitException : Exception
{
    /// <summary>Creates the exception from init's reply.</summary>
    public InitException(ErrorReply reply)
        : base(reply.Message)
    {
        Code = reply.Code;
        Errno = reply.Errno;
    }

    /// <summary>Creates the exception for a lost connection.</summary>
    public InitException(string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = null;
    }

    /// <summary>Init's error code; null when the connection failed.</summary>
    public ErrorCode? Code { get; }

    /// <summary>The errno init reported, or 0.</summary>
    public int Errno { get; }
}
