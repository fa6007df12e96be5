using AgentFense.TestSupport;

namespace AgentFense.Client.Tests;

/// <summary>
/// The SDK's high-level API, the same tests against a real server (<see cref="RemoteSandboxTests"/>) and the
/// in-process engine (<see cref="EmbeddedSandboxTests"/>): real FUSE views, real bwrap boxes.
/// </summary>
public abstract partial class SandboxSuite<TMode>(TMode mode) : IClassFixture<TMode> where TMode : SdkMode
{
    protected TMode Mode { get; } = mode;

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Skips (off CI) without root, /dev/fuse or bwrap.</summary>
    protected static void RequireBoxes()
    {
        Requires.Fuse();
        Requires.Bwrap();
    }

    /// <summary>A running sandbox over a fresh <see cref="TestProject"/> with the agent-safe preset and a view-only deploy script.</summary>
    protected async Task<(TestProject Project, Sandbox Sandbox)> StartAsync(SandboxOptions? options = null)
    {
        RequireBoxes();
        var project = new TestProject();
        try
        {
            options = await Mode.OptionsAsync(options ?? new SandboxOptions
            {
                Preset = Presets.AgentSafe,
                Rules = [Rule.View("scripts/deploy.sh", 30, PatternType.File)],
            });
            var sandbox = await Sandbox.FromLocalAsync(project.Path, options: options, cancellationToken: Token);
            return (project, sandbox);
        }
        catch
        {
            project.Dispose();
            throw;
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task FromLocal_RunAsync_SeesTheProjectThroughThePolicy()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        Assert.Equal(SandboxStatus.Running, sandbox.Status);
        Assert.StartsWith("sb_", sandbox.Id, StringComparison.Ordinal);
        var result = await sandbox.RunAsync("python3 src/app.py && ls -a", cancellationToken: Token);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("hello from app", result.Stdout, StringComparison.Ordinal);
        var names = result.Stdout.Split('\n');
        Assert.Contains("README.md", names);
        Assert.Contains("keep.log", names);
        Assert.DoesNotContain(".env", names);
        Assert.DoesNotContain("secrets", names);
        // Left out by .gitignore: not uploaded (remote) or hidden (embedded).
        Assert.DoesNotContain("build", names);
        Assert.DoesNotContain("debug.log", names);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StopStart_KeepsTheDelta_CommandsOnAStoppedSandboxAreNotRunning()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;
        await sandbox.WriteFileAsync("output/kept.txt", "kept", Token);

        var stopped = await sandbox.StopAsync(Token);
        Assert.Equal(SandboxStatus.Stopped, stopped.Status);
        Assert.NotNull(stopped.StoppedAt);
        var e = await Assert.ThrowsAsync<SandboxNotRunningException>(() => sandbox.RunAsync("true", cancellationToken: Token));
        Assert.Equal("SANDBOX_NOT_RUNNING", e.Reason);
        await Assert.ThrowsAsync<SandboxNotRunningException>(() => sandbox.ReadFileAsync("README.md", Token));
        Assert.Single(await sandbox.DiffAsync(Token));

        Assert.Equal(SandboxStatus.Running, (await sandbox.StartAsync(Token)).Status);
        Assert.Equal("kept", await sandbox.ReadAllTextAsync("output/kept.txt", Token));
        Assert.Equal(SandboxStatus.Running, (await sandbox.RefreshAsync(Token)).Status);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Dispose_LeavesNothingBehind_NoSandboxNoCodebaseNoMount()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        var id = sandbox.Id;
        var codebaseId = sandbox.CodebaseId;
        var backend = sandbox.Backend;
        await using (var session = await sandbox.SessionAsync(cancellationToken: Token))
            await session.ExecAsync("cd src", cancellationToken: Token);
        await sandbox.SessionAsync(cancellationToken: Token);
        await sandbox.RunAsync("echo x > output/x", cancellationToken: Token);

        await sandbox.DisposeAsync();
        await sandbox.DisposeAsync();

        Assert.True(await Mode.IsGoneAsync(id), $"sandbox {id} left something behind ({Mode.Name})");
        var options = await Mode.OptionsAsync();
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => Sandbox.ConnectAsync(id, options, Token));
        await Assert.ThrowsAsync<CodebaseNotFoundException>(() => Sandbox.FromCodebaseAsync(codebaseId, options, cancellationToken: Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sandbox.RunAsync("true", cancellationToken: Token));
        // The project itself is untouched: the write went to the destroyed delta.
        Assert.False(File.Exists(project["output/x"]));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Connect_DoesNotDestroyOnDispose_DestroyWithCodebase_RemovesBoth()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;
        var options = await Mode.OptionsAsync();

        await using (var connected = await Sandbox.ConnectAsync(sandbox.Id, options, Token))
        {
            Assert.Equal(sandbox.CodebaseId, connected.CodebaseId);
            Assert.False(connected.DestroyOnDispose);
            Assert.Equal("# demo\n", (await connected.RunAsync("cat README.md", cancellationToken: Token)).Stdout);
        }
        Assert.Equal(SandboxStatus.Running, (await sandbox.RefreshAsync(Token)).Status);

        await using (var second = await Sandbox.FromCodebaseAsync(sandbox.CodebaseId, options, start: false, cancellationToken: Token))
        {
            Assert.Equal(SandboxStatus.Pending, second.Status);
            // A codebase with sandboxes over it cannot be deleted.
            await Assert.ThrowsAsync<CodebaseInUseException>(() => sandbox.DestroyAsync(deleteCodebase: true, Token));
        }
        await sandbox.DestroyAsync(deleteCodebase: true, Token);
        Assert.True(await Mode.IsGoneAsync(sandbox.Id));
        await Assert.ThrowsAsync<CodebaseNotFoundException>(() => Sandbox.FromCodebaseAsync(sandbox.CodebaseId, options, cancellationToken: Token));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Options_LabelsLimitsExpiry_AreKept_AndTheSandboxExpires()
    {
        var (project, sandbox) = await StartAsync(new SandboxOptions
        {
            Labels = new Dictionary<string, string> { ["team"] = "sdk" },
            Resources = new ResourceLimits(MemoryBytes: 256L << 20, PidsLimit: 64),
            ExpiresIn = TimeSpan.FromSeconds(6),
        });
        using var _ = project;
        await using var __ = sandbox;

        Assert.Equal("sdk", sandbox.Info.Labels["team"]);
        Assert.Equal(256L << 20, sandbox.Info.Resources?.MemoryBytes);
        Assert.NotNull(sandbox.Info.ExpiresAt);
        // The pids limit holds inside the box: a fork bomb is stopped.
        var bomb = await sandbox.RunAsync("for i in $(seq 200); do sleep 1 & done 2>&1 | tail -1; echo done", timeout: TimeSpan.FromSeconds(4), cancellationToken: Token);
        Assert.Contains("done", bomb.Stdout, StringComparison.Ordinal);
        Assert.Contains("fork", bomb.Stdout + bomb.Stderr, StringComparison.OrdinalIgnoreCase);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await Mode.IsGoneAsync(sandbox.Id) && DateTime.UtcNow < deadline)
            await Task.Delay(200, Token);
        Assert.True(await Mode.IsGoneAsync(sandbox.Id), "the sandbox outlived its expiry");
    }
}

/// <summary>The suite against a real server on free ports.</summary>
public sealed class RemoteSandboxTests(RemoteMode mode) : SandboxSuite<RemoteMode>(mode);

/// <summary>The suite against the in-process engine.</summary>
public sealed class EmbeddedSandboxTests(EmbeddedMode mode) : SandboxSuite<EmbeddedMode>(mode);
