using System.Formats.Tar;
using AgentFense.Engine;
using AgentFense.Policy;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.SandboxFs.Delta;
using AgentFense.TestSupport;
using static AgentFense.Engine.Tests.EngineFixture;

namespace AgentFense.Engine.Tests;

[Trait("Requires", "Bwrap")]
public sealed class SandboxManagerTests
{
    [Fact]
    public async Task Lifecycle_StopStartDestroy_DeltaKeptThenEverythingGone()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        await using var manager = await StartManagerAsync(data.Path);
        var created = manager.Create(Spec(codebase.Path));
        Assert.Matches("^sb_[0-9a-f]{16}$", created.Id);
        Assert.Equal(SandboxState.Created, created.State);
        Assert.False(IsMounted(manager.MountPath(created.Id)));

        var running = await manager.StartAsync(created.Id, Token);
        Assert.Equal(SandboxState.Running, running.State);
        Assert.True(IsMounted(manager.MountPath(created.Id)));
        var write = await RunAsync(manager, created.Id, "echo kept > output/note.txt && pwd");
        Assert.Equal(0, write.ExitCode);
        Assert.Equal("/workspace\n", write.StdoutText);
        var box = (BubblewrapBox)manager.GetBox(created.Id);
        var (boxPid, bwrapPid, cgroup) = (box.Pid, box.BwrapPid, box.Cgroup);

        var stopped = await manager.StopAsync(created.Id, Token);
        Assert.Equal(SandboxState.Stopped, stopped.State);
        Assert.False(Alive(boxPid));
        Assert.False(Alive(bwrapPid));
        Assert.True(cgroup.IsRemoved);
        Assert.False(IsMounted(manager.MountPath(created.Id)));
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(manager.DeltaPath(created.Id), "output/note.txt")));
        await Assert.ThrowsAsync<SandboxStateException>(() => RunAsync(manager, created.Id, "true"));

        await manager.StartAsync(created.Id, Token);
        Assert.Equal("kept\n", (await RunAsync(manager, created.Id, "cat output/note.txt")).StdoutText);
        var second = (BubblewrapBox)manager.GetBox(created.Id);
        var (boxPid2, cgroup2) = (second.Pid, second.Cgroup);

        await manager.DestroyAsync(created.Id, Token);
        Assert.False(Alive(boxPid2));
        Assert.True(cgroup2.IsRemoved);
        Assert.False(IsMounted(manager.MountPath(created.Id)));
        Assert.False(Directory.Exists(manager.DeltaPath(created.Id)));
        Assert.False(Directory.Exists(manager.MountPath(created.Id)));
        Assert.Throws<SandboxNotFoundException>(() => manager.Get(created.Id));
        Assert.False(File.Exists(codebase["output/note.txt"]));
    }

    [Fact]
    public async Task Policy_InsideTheBox_SecretsHiddenOutputWritableSourceUntouched()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        await using var manager = await StartManagerAsync(data.Path);
        var id = manager.Create(Spec(RepoPaths.ExampleProject)).Id;
        await manager.StartAsync(id, Token);
        var env = await RunAsync(manager, id, "cat .env");
        Assert.NotEqual(0, env.ExitCode);
        Assert.Contains("No such file", env.StderrText);
        Assert.NotEqual(0, (await RunAsync(manager, id, "echo x >> README.md")).ExitCode);
        var write = await RunAsync(manager, id, "echo report > output/engine-test.txt && stat -c '%u:%g %U' output/engine-test.txt && id -u");
        Assert.Equal(0, write.ExitCode);
        Assert.Equal("1000:1000 sandbox\n1000\n", write.StdoutText);
        Assert.False(File.Exists(Path.Combine(RepoPaths.ExampleProject, "output/engine-test.txt")));
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task Start_PrivateCodebaseRoot_BoxUserCanWorkInIt()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        codebase.WriteFile("notes.txt", "private\n");
        // A project directory only its owner may enter: inside the box everything is the box user's.
        File.SetUnixFileMode(codebase.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var manager = await StartManagerAsync(data.Path);
        var id = manager.Create(Spec(codebase.Path, [new PermissionRule("**", Permission.Write)])).Id;
        await manager.StartAsync(id, Token);
        var result = await RunAsync(manager, id, "pwd && cat notes.txt && echo new > made.txt && stat -c %a .");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/workspace\nprivate\n700\n", result.StdoutText);
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task Exec_Environment_OnlyDefaultsAndTheSandboxsOwn()
    {
        Require();
        Environment.SetEnvironmentVariable("AGENTFENSE_ENGINE_TEST_SECRET", "leaked");
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        await using var manager = await StartManagerAsync(data.Path);
        var id = manager.Create(Spec(codebase.Path) with { Environment = new Dictionary<string, string> { ["GREETING"] = "hello" } }).Id;
        await manager.StartAsync(id, Token);
        var env = (await RunAsync(manager, id, "env")).StdoutText;
        Assert.DoesNotContain("AGENTFENSE_ENGINE_TEST_SECRET", env);
        Assert.Contains("GREETING=hello", env);
        Assert.Contains("HOME=/tmp", env);
        await using (var session = await manager.CreateSessionAsync(id, cancellationToken: Token))
        {
            var first = await session.ExecAsync("cd src && export X=1", cancellationToken: Token);
            Assert.Equal(0, first.ExitCode);
            var second = await session.ExecAsync("pwd; echo $X$GREETING", cancellationToken: Token);
            Assert.Equal("/workspace/src\n1hello\n", second.StdoutText);
        }
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task Delta_DiffExportDiscardCommit_ThroughTheEngine()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        var rules = new[] { RuleSyntax.Parse("**=write") };
        await using var manager = await StartManagerAsync(data.Path);
        var id = manager.Create(Spec(codebase.Path, rules)).Id;
        await manager.StartAsync(id, Token);
        const string change = "echo changed > README.md && rm src/app.py && echo new > added.txt";
        Assert.Equal(0, (await RunAsync(manager, id, change)).ExitCode);

        var changes = await manager.ListChangesAsync(id, Token);
        Assert.Contains(changes, c => c is { Path: "README.md", Kind: ChangeKind.Modified, Size: 8 });
        Assert.Contains(changes, c => c is { Path: "src/app.py", Kind: ChangeKind.Deleted });
        Assert.Contains(changes, c => c is { Path: "added.txt", Kind: ChangeKind.Added, Size: 4 });

        using (var tar = new MemoryStream())
        {
            await manager.ExportAsync(id, tar, Token);
            tar.Position = 0;
            var names = new List<string>();
            using var reader = new TarReader(tar);
            while (reader.GetNextEntry() is { } entry)
                names.Add(entry.Name);
            Assert.Contains(names, n => n.EndsWith("added.txt", StringComparison.Ordinal));
            Assert.Contains(names, n => n.EndsWith(".wh.app.py", StringComparison.Ordinal));
        }

        await manager.DiscardAsync(id, Token);
        Assert.Empty(await manager.ListChangesAsync(id, Token));
        Assert.Equal("# demo\nprint('hi')\n", (await RunAsync(manager, id, "cat README.md src/app.py")).StdoutText);
        Assert.NotEqual(0, (await RunAsync(manager, id, "test -e added.txt")).ExitCode);

        Assert.Equal(0, (await RunAsync(manager, id, change)).ExitCode);
        var result = await manager.CommitAsync(id, Token);
        Assert.Equal(3, result.Applied.Count);
        Assert.Empty(result.Conflicts);
        Assert.Equal("changed\n", File.ReadAllText(codebase["README.md"]));
        Assert.False(File.Exists(codebase["src/app.py"]));
        Assert.Equal("new\n", File.ReadAllText(codebase["added.txt"]));
        Assert.Empty(await manager.ListChangesAsync(id, Token));
        Assert.Equal("changed\nnew\n", (await RunAsync(manager, id, "cat README.md added.txt")).StdoutText);

        // A stopped sandbox's delta is still reachable.
        Assert.Equal(0, (await RunAsync(manager, id, "echo later > later.txt")).ExitCode);
        await manager.StopAsync(id, Token);
        Assert.Contains(await manager.ListChangesAsync(id, Token), c => c.Path == "later.txt");
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task Create_BadInput_RefusedAndNothingRegistered()
    {
        using var data = new TempDirectory("agentfense-data-");
        Requires.Root();
        await using var manager = await StartManagerAsync(data.Path);
        Assert.Throws<DirectoryNotFoundException>(() => manager.Create(Spec("/nonexistent/codebase")));
        Assert.Throws<PolicyException>(() => manager.Create(Spec(data.Path, [new PermissionRule("", Permission.Read)])));
        Assert.Empty(manager.List());
        var id = manager.Create(Spec(data.Path)).Id;
        await Assert.ThrowsAsync<SandboxStateException>(() => RunAsync(manager, id, "true"));
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => manager.StartAsync("sb_0000000000000000", Token));
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task StartAsync_SecondManagerOnTheSameDataDirectory_Refused()
    {
        Requires.Root();
        using var data = new TempDirectory("agentfense-data-");
        await using var manager = await StartManagerAsync(data.Path);
        var e = await Assert.ThrowsAsync<IOException>(() => StartManagerAsync(data.Path));
        Assert.Contains("in use", e.Message);
    }
}
