namespace AgentFense.Cli;

/// <summary>The process exit codes of <c>agentfense</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (I/O error, a service refused).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: an unknown option, a bad rule, a missing directory. Nothing was done.</summary>
    public const int BadInput = 2;
}
