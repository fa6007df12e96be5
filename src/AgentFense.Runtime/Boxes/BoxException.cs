namespace AgentFense.Runtime.Boxes;

/// <summary>A box could not be started, limited or stopped.</summary>
public class BoxException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BoxException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public BoxException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
