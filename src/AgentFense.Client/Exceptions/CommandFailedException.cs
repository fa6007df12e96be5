using Grpc.Core;

namespace AgentFense;

/// <summary>
/// A command ended with a non-zero exit code and the caller asked for that to be an error
/// (<c>raiseOnError</c>, or <see cref="CommandResult.EnsureSuccess"/>). The service itself never fails a call
/// for an exit code: this is raised by the SDK.
/// </summary>
public class CommandFailedException : AgentFenseException
{
    /// <summary>Creates the error for <paramref name="command"/> and its <paramref name="result"/>.</summary>
    public CommandFailedException(string command, CommandResult result)
        : base($"command '{command}' exited with code {result.ExitCode}{Tail(result.Stderr)}", StatusCode.Unknown, "COMMAND_FAILED")
    {
        Command = command;
        Result = result;
    }

    /// <summary>The command line.</summary>
    public string Command { get; }

    /// <summary>The whole result: exit code, output, duration.</summary>
    public CommandResult Result { get; }

    /// <summary>The command's exit code (128 + the signal when a signal ended it).</summary>
    public int ExitCode => Result.ExitCode;

    /// <summary>What the command wrote to stdout.</summary>
    public string Stdout => Result.Stdout;

    /// <summary>What the command wrote to stderr.</summary>
    public string Stderr => Result.Stderr;

    private static string Tail(string stderr)
    {
        var trimmed = stderr.TrimEnd();
        if (trimmed.Length == 0)
            return "";
        return ": " + (trimmed.Length > 500 ? "…" + trimmed[^500..] : trimmed);
    }
}
