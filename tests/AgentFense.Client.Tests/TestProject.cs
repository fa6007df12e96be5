using AgentFense.TestSupport;

namespace AgentFense.Client.Tests;

/// <summary>A small project on disk: code, docs, secrets, ignore rules, a view-only script.</summary>
public sealed class TestProject : IDisposable
{
    private readonly TempDirectory _directory = new("agentfense-sdk-project-");

    public TestProject()
    {
        _directory.WriteFile("README.md", "# demo\n");
        _directory.WriteFile("src/app.py", "print('hello from app')\n");
        _directory.WriteFile("docs/guide.md", "guide\n");
        _directory.WriteFile(".env", "API_KEY=s3cret\n");
        _directory.WriteFile("secrets/token.txt", "token\n");
        _directory.WriteFile("config/server.key", "key\n");
        _directory.WriteFile("scripts/deploy.sh", "echo deploy\n");
        _directory.WriteFile("output/.gitkeep", "");
        _directory.WriteFile("build/out.bin", "binary\n");
        _directory.WriteFile("debug.log", "noise\n");
        _directory.WriteFile("keep.log", "kept\n");
        _directory.WriteFile(".gitignore", "build/\n*.log\n!keep.log\n");
        // bwrap enters /workspace before dropping to the box user: directories must be searchable by others.
        foreach (var dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories).Append(Path))
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
    }

    public string Path => _directory.Path;

    public string this[string relative] => _directory[relative];

    public void Dispose() => _directory.Dispose();
}
