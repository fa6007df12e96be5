using System.CommandLine;
using AgentFense.Cli.Commands;
using AgentFense.Policy;

namespace AgentFense.Cli;

/// <summary>
/// The <c>agentfense</c> command tree. Every command reports bad input as one line on stderr naming what
/// was wrong and exits 2; other failures exit 1.
/// </summary>
internal static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var console = new CliConsole(output, error, ReferenceEquals(output, Console.Out) && UseColour());
        var root = new RootCommand("AgentFense: sandboxes for AI agents over real codebases, with per-path permissions.")
        {
            PolicyCommand.Create(console),
            PresetsCommand.Create(console),
            MountCommand.Create(console),
            RunCommand.Create(console),
            ServeCommand.Create(console),
            AuditCommand.Create(console),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
                error.WriteLine($"agentfense: {e.Message}");
            error.WriteLine("Run 'agentfense --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (PolicyException e)
        {
            error.WriteLine($"agentfense: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (UsageException e)
        {
            error.WriteLine($"agentfense: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"agentfense: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static bool UseColour() =>
        !Console.IsOutputRedirected &&
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) &&
        Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
}
