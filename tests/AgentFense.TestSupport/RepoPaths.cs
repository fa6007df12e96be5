namespace AgentFense.TestSupport;

/// <summary>Locations inside the repository, found from the test assembly's directory.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the directory holding AgentFense.slnx).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The example codebase used by the README and the tests.</summary>
    public static string ExampleProject => Path.Combine(Root, "examples", "acme-api");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentFense.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no AgentFense.slnx above {AppContext.BaseDirectory}");
    }
}
