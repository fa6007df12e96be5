using AgentFense.TestSupport;

namespace AgentFense.Client.Tests;

/// <summary>Docker sandboxes through the SDK, against a server (the in-process engine runs bwrap only).</summary>
[Trait("Requires", "Docker")]
public sealed class DockerTests(RemoteMode mode) : IClassFixture<RemoteMode>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<SandboxOptions> DockerOptionsAsync(string image)
    {
        Requires.Fuse();
        Requires.Docker();
        TestImages.Ensure();
        return await mode.OptionsAsync(new SandboxOptions { Preset = Presets.AgentSafe, Runtime = RuntimeKind.Docker, Image = image });
    }

    [Fact]
    public async Task FromLocal_DockerRuntime_RunsInTheImage_SamePolicy()
    {
        var options = await DockerOptionsAsync(TestImages.Debian);
        using var project = new TestProject();
        await using var sandbox = await Sandbox.FromLocalAsync(project.Path, options: options, cancellationToken: Token);

        Assert.Equal(RuntimeKind.Docker, sandbox.Info.Runtime);
        Assert.Equal(TestImages.Debian, sandbox.Info.Image);
        var result = await sandbox.RunAsync("cat README.md; ls -a; cat .env", cancellationToken: Token);
        Assert.StartsWith("# demo\n", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(".env\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("No such file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromLocal_MissingImage_IsImageNotFound_AndNothingIsLeft()
    {
        var options = await DockerOptionsAsync("agentfense-test/missing:0");
        using var project = new TestProject();
        var e = await Assert.ThrowsAsync<ImageNotFoundException>(() => Sandbox.FromLocalAsync(project.Path, options: options, cancellationToken: Token));
        Assert.Equal("IMAGE_NOT_FOUND", e.Reason);
        Assert.Contains("agentfense-test/missing:0", e.Message, StringComparison.Ordinal);

        // The codebase FromLocalAsync uploaded was removed with the failure.
        using var client = mode.NewClient();
        Assert.DoesNotContain((await client.ListCodebasesAsync(cancellationToken: Token)).Codebases, c => c.Name == Path.GetFileName(project.Path));
    }
}
