using AgentFense.Policy;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>Each permission level through real tools on a real mount.</summary>
[Trait("Requires", "Fuse")]
public class PolicyLevelsTests
{
    private static PermissionRule G(string pattern, Permission level, int priority = 0) => new(pattern, level, PatternType.Glob, priority);

    private static MountedSandbox Sandbox() => new(
        [
            G("**/*", Permission.Read),
            G("out/**", Permission.Write, 10),
            G("docs/**", Permission.View, 10),
            G("**/.env*", Permission.None, 100),
            G("**/secrets/**", Permission.None, 100),
        ],
        tree => tree
            .File("src/main.py", "print('hi')\n")
            .File(".env", "TOKEN=secret\n")
            .File("secrets/key.txt", "hunter2\n")
            .File("docs/guide.md", "# Guide\n")
            .File("out/old.txt", "old\n")
            .Dir("out/sub"));

    [Fact]
    public void None_IsAbsentFromListingAndLookupFails()
    {
        using var sb = Sandbox();
        var (code, output, _) = sb.Sh("ls -a");
        Assert.Equal(0, code);
        Assert.DoesNotContain(".env", output);
        Assert.DoesNotContain("secrets", output);
        Assert.Contains("src", output);
        var cat = sb.Sh("cat .env");
        Assert.NotEqual(0, cat.Code);
        Assert.Contains("No such file", cat.Err);
        Assert.NotEqual(0, sb.Sh("cat secrets/key.txt").Code);
        Assert.NotEqual(0, sb.Sh("ls secrets").Code);
        Assert.False(File.Exists(sb[".env"]));
        Assert.Contains(sb.FileSystem.Audit.Snapshot(), e => e.Path == ".env" && e.Operation == "lookup");
    }

    [Fact]
    public void None_CannotBeCreatedEither()
    {
        using var sb = Sandbox();
        var (code, _, err) = sb.Sh("echo x > out/.env.local");
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(Path.Combine(sb.Delta, "out/.env.local")));
        Assert.NotEmpty(err);
    }

    [Fact]
    public void View_StatWorksButReadIsRefused()
    {
        using var sb = Sandbox();
        var stat = sb.Sh("stat -c %s docs/guide.md");
        Assert.Equal(0, stat.Code);
        Assert.Equal("8", stat.Out.Trim());
        var cat = sb.Sh("cat docs/guide.md");
        Assert.NotEqual(0, cat.Code);
        Assert.Contains("Permission denied", cat.Err);
        Assert.Contains(sb.FileSystem.Audit.Snapshot(), e => e.Path == "docs/guide.md" && e.Operation == "open-read" && e.Level == Permission.View);
        Assert.Equal(0, sb.Sh("ls docs").Code);
    }

    [Fact]
    public void Read_ReadsButCannotModify()
    {
        using var sb = Sandbox();
        Assert.Equal("print('hi')\n", File.ReadAllText(sb["src/main.py"]));
        foreach (var command in new[] { "echo x >> src/main.py", "rm src/main.py", "mv src/main.py src/x.py", "chmod 777 src/main.py",
                     "truncate -s 0 src/main.py", "touch src/new.py", "mkdir src/newdir", "ln -s main.py src/link", "ln src/main.py out/hard" })
        {
            var (code, _, err) = sb.Sh(command);
            Assert.True(code != 0, $"'{command}' should fail");
            Assert.True(err.Contains("Permission denied") || err.Contains("Operation not permitted"), $"'{command}': {err}");
        }
        Assert.Equal("print('hi')\n", File.ReadAllText(Path.Combine(sb.Source, "src/main.py")));
        Assert.False(Directory.Exists(Path.Combine(sb.Delta, "src")) && File.Exists(Path.Combine(sb.Delta, "src/new.py")));
    }

    [Fact]
    public void Write_EverythingWorksAndLandsInTheDeltaOnly()
    {
        using var sb = Sandbox();
        var script = "echo new > out/new.txt && echo more >> out/old.txt && mkdir out/d && mv out/new.txt out/d/moved.txt && " +
                     "ln -s moved.txt out/d/link && ln out/d/moved.txt out/d/hard && chmod 600 out/d/moved.txt && rm out/old.txt && " +
                     "rmdir out/sub && truncate -s 2 out/d/hard && cat out/d/link";
        var (code, output, err) = sb.Sh(script);
        Assert.True(code == 0, err);
        Assert.Equal("ne", output);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(sb.Source, "out/old.txt")));
        Assert.True(Directory.Exists(Path.Combine(sb.Source, "out/sub")));
        Assert.False(File.Exists(sb["out/old.txt"]));
        Assert.Equal("moved.txt", new FileInfo(sb["out/d/link"]).LinkTarget);
        Assert.Equal(Convert.ToInt32("600", 8), (int)File.GetUnixFileMode(sb["out/d/moved.txt"]));
        Assert.Equal("ne", File.ReadAllText(Path.Combine(sb.Delta, "out/d/moved.txt")));
    }
}
