using AgentFense.TestSupport;

namespace AgentFense.Server.Tests;

/// <summary>The <c>agentfense</c> CLI build matching this test assembly's configuration (bin/&lt;Configuration&gt;/net10.0/).</summary>
internal static class CliBinary
{
    public static string Path { get; } = System.IO.Path.Combine(RepoPaths.Root, "src", "AgentFense.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "agentfense.dll");
}
