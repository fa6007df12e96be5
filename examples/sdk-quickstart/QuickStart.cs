namespace AgentFense.Examples;

/// <summary>Example 1: a sandbox over a local project in three lines.</summary>
public static class QuickStart
{
    /// <summary>Runs the example on <paramref name="projectDirectory"/>, writing what it shows to <paramref name="output"/>.</summary>
    public static async Task<int> RunAsync(string projectDirectory, TextWriter output, SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var sandbox = await Sandbox.FromLocalAsync(projectDirectory, preset: Presets.AgentSafe, options, cancellationToken);
        var result = await sandbox.RunAsync("python3 -c 'import os; print(\"hello from\", os.getcwd()); print(sorted(os.listdir(\".\")))'", cancellationToken: cancellationToken);
        output.WriteLine(result.Stdout);
        return result.ExitCode;
    }

    /// <summary><c>dotnet run [PROJECT_DIR]</c>; without a directory it works on a copy of examples/acme-api.</summary>
    public static async Task<int> Main(string[] args)
    {
        var directory = args.Length > 0 ? args[0] : ExampleProject.CopyAcmeApi();
        try
        {
            return await RunAsync(directory, Console.Out);
        }
        finally
        {
            if (args.Length == 0)
                Directory.Delete(directory, recursive: true);
        }
    }
}
