using AgentFense.TestSupport;

namespace AgentFense.Client.Tests;

/// <summary>Docker sandboxes through the SDK, against a server and in-process.</summary>
[Trait("Requires", "Docker")]
public abstract class DockerSuite<TMode>(TMode mode) : IClassFixture<TMode> where TMode : SdkMode
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

        // The codebase FromLocalAsync made was removed with the failure.
        if (mode is RemoteMode remote)
        {
            using var client = remote.NewClient();
            Assert.DoesNotContain((await client.ListCodebasesAsync(cancellationToken: Token)).Codebases, c => c.Name == Path.GetFileName(project.Path));
        }
    }
}

/// <summary>Docker sandboxes on a server.</summary>
public sealed class RemoteDockerTests(RemoteMode mode) : DockerSuite<RemoteMode>(mode);

/// <summary>Docker sandboxes in-process.</summary>
public sealed class EmbeddedDockerTests(EmbeddedMode mode) : DockerSuite<EmbeddedMode>(mode);
