namespace AgentFense.Embedded.Internal;

/// <summary>Where the agentfense-init binary is: the option, the environment, next to the application, a checkout's build.</summary>
internal static class InitLocator
{
    private const string FileName = "agentfense-init";

    public static string? Find(EmbeddedOptions options, out IReadOnlyList<string> looked)
    {
        var candidates = new List<string>();
        if (options.InitPath is { Length: > 0 } given)
            candidates.Add(Path.GetFullPath(given));
        else
        {
            if (Environment.GetEnvironmentVariable(EmbeddedOptions.InitPathVariable) is { Length: > 0 } fromEnvironment)
                candidates.Add(Path.GetFullPath(fromEnvironment));
            candidates.Add(Path.Combine(AppContext.BaseDirectory, FileName));
            // A repository checkout: ./agentfense and the tests publish it into .build/init/.
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                var built = Path.Combine(dir.FullName, ".build", "init", FileName);
                if (File.Exists(built))
                {
                    candidates.Add(built);
                    break;
                }
            }
        }
        looked = candidates;
        return candidates.FirstOrDefault(File.Exists);
    }
}
