namespace AgentFense.Examples;

/// <summary>
/// Example 2: a scripted "agent" (the commands an LLM agent might issue, no LLM needed) working on acme-api with
/// the agent-safe preset and one view-only file. It reads code, writes a report to output/, cannot see .env or
/// secrets/, cannot read the view-only deploy script; then the user reviews the diff and commits it.
/// </summary>
public static class AgentLoop
{
    /// <summary>What the agent tries, in order.</summary>
    public static IReadOnlyList<string> Script { get; } =
    [
        "ls -a",
        "cat src/acme/db/orders.py | head -5",
        "cat .env",
        "ls secrets",
        "cat scripts/deploy.sh",
        "ls -l scripts",
        "grep -rn 'def ' src | wc -l > output/function-count.txt && cat output/function-count.txt",
        "echo 'hacked' >> src/acme/api/server.py",
    ];

    /// <summary>What one step did.</summary>
    public sealed record Step(string Command, int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the script in a sandbox over <paramref name="projectDirectory"/>, reviews and commits; returns the steps and the committed changes.</summary>
    public static async Task<(IReadOnlyList<Step> Steps, IReadOnlyList<FileChange> Committed)> RunAsync(string projectDirectory, TextWriter output,
        SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = (options ?? new SandboxOptions()) with
        {
            Preset = Presets.AgentSafe,
            // The deploy script may be seen (ls -l) but not read.
            Rules = [Rule.View("scripts/deploy.sh", priority: 30, type: PatternType.File)],
        };
        await using var sandbox = await Sandbox.FromLocalAsync(projectDirectory, options: options, cancellationToken: cancellationToken);
        var steps = new List<Step>();
        foreach (var command in Script)
        {
            var result = await sandbox.RunAsync(command, timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
            steps.Add(new Step(command, result.ExitCode, result.Stdout, result.Stderr));
            output.WriteLine($"$ {command}    (exit {result.ExitCode})");
            output.Write(Indent(result.Stdout + result.Stderr));
        }

        // The user reviews what the agent changed before anything reaches the project.
        var changes = await sandbox.DiffAsync(cancellationToken);
        output.WriteLine("changes the agent made:");
        foreach (var change in changes)
            output.WriteLine($"  {change.Kind.ToString().ToLowerInvariant(),-8} {change.Path} ({change.Size} bytes)");
        var approved = changes.All(c => c.Path.StartsWith("output/", StringComparison.Ordinal) || c.Path == "output");
        if (!approved)
        {
            output.WriteLine("review: changes outside output/ — discarded");
            await sandbox.DiscardAsync(cancellationToken);
            return (steps, []);
        }
        var committed = await sandbox.CommitAsync(cancellationToken);
        output.WriteLine($"review: approved, {committed.Applied.Count} change(s) committed");
        return (steps, committed.Applied);
    }

    private static string Indent(string text) =>
        text.Length == 0 ? "" : string.Join('\n', text.TrimEnd('\n').Split('\n').Select(l => "    " + l)) + "\n";

    /// <summary><c>dotnet run [PROJECT_DIR]</c>; without a directory it works on a copy of examples/acme-api.</summary>
    public static async Task<int> Main(string[] args)
    {
        var directory = args.Length > 0 ? args[0] : ExampleProject.CopyAcmeApi();
        try
        {
            var (_, committed) = await RunAsync(directory, Console.Out);
            Console.WriteLine($"committed into {directory}: {string.Join(", ", committed.Select(c => c.Path))}");
            return 0;
        }
        finally
        {
            if (args.Length == 0)
                Directory.Delete(directory, recursive: true);
        }
    }
}
