using System.Diagnostics;

namespace AgentFense.Examples;

/// <summary>
/// Example 3: many sandboxes over one codebase at once (50 by default), each writing its own file: every one
/// sees its own write and none of the others', because each has its own delta.
/// </summary>
public static class ManySandboxes
{
    /// <summary>What one sandbox saw.</summary>
    public sealed record Outcome(int Index, string SandboxId, string Own, string[] Visible);

    /// <summary>Runs <paramref name="count"/> sandboxes in parallel over <paramref name="projectDirectory"/>.</summary>
    public static async Task<IReadOnlyList<Outcome>> RunAsync(string projectDirectory, TextWriter output, int count = 50,
        SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var clock = Stopwatch.StartNew();
        // One sandbox uploads the project (or, in-process, registers it); the others share its codebase.
        await using var first = await Sandbox.FromLocalAsync(projectDirectory, preset: Presets.AgentSafe, options, cancellationToken);
        var others = await Task.WhenAll(Enumerable.Range(1, count - 1)
            .Select(_ => Sandbox.FromCodebaseAsync(first.CodebaseId, options with { Preset = Presets.AgentSafe }, cancellationToken: cancellationToken)));
        Sandbox[] all = [first, .. others];
        try
        {
            output.WriteLine($"{all.Length} sandboxes running after {clock.Elapsed.TotalSeconds:F1} s");
            var outcomes = await Task.WhenAll(all.Select(async (sandbox, i) =>
            {
                var result = await sandbox.RunAsync($"echo {i} > output/worker.txt && cat output/worker.txt && ls output", raiseOnError: true,
                    cancellationToken: cancellationToken);
                var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return new Outcome(i, sandbox.Id, lines[0], lines[1..]);
            }));
            output.WriteLine($"all ran in parallel, {clock.Elapsed.TotalSeconds:F1} s in total; each saw only its own output/worker.txt: "
                + outcomes.All(o => o.Own == o.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return outcomes;
        }
        finally
        {
            // The others first: the first owns the codebase they share.
            await Task.WhenAll(others.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    /// <summary><c>dotnet run [COUNT] [PROJECT_DIR]</c>.</summary>
    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
        var directory = args.Length > 1 ? args[1] : ExampleProject.CopyAcmeApi();
        try
        {
            await RunAsync(directory, Console.Out, count);
            return 0;
        }
        finally
        {
            if (args.Length <= 1)
                Directory.Delete(directory, recursive: true);
        }
    }
}
