namespace AgentFense.Cli;

/// <summary>Bad input noticed by a command (a missing directory, conflicting options): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
