namespace AgentFense.Examples;

/// <summary>A working copy of examples/acme-api, so running an example never changes the repository.</summary>
internal static class ExampleProject
{
    /// <summary>Copies acme-api (found above the application or the working directory) into a new temporary directory.</summary>
    public static string CopyAcmeApi()
    {
        var source = Find() ?? throw new DirectoryNotFoundException("examples/acme-api not found above the application or the working directory; pass a project directory");
        var target = Path.Combine(Path.GetTempPath(), "agentfense-example-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        // bwrap enters /workspace before it drops to the box user: the root must be searchable by others.
        File.SetUnixFileMode(target, (UnixFileMode)0x1ED /* 0755 */);
        return target;
    }

    private static string? Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "acme-api");
                if (Directory.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
