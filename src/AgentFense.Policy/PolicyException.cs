namespace AgentFense.Policy;

/// <summary>
/// A rule, rules file or preset name that cannot be used. The message names the rule and what is wrong;
/// callers map it to exit code 2 (CLI) or INVALID_ARGUMENT (API).
/// </summary>
public sealed class PolicyException : Exception
{
    /// <summary>Creates the exception with a message that names the offending input.</summary>
    public PolicyException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public PolicyException(string message, Exception inner) : base(message, inner)
    {
    }
}
