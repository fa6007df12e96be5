using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Docker;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

/// <summary>What is docker's own: images, the daemon, its containers' settings and leftovers. The box suite runs over docker too (see <see cref="BoxFixture.Runtimes"/>).</summary>
[Trait("Requires", "Docker")]
public sealed class DockerRuntimeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void DescribeContainer_Defaults_IsolatedAndLimited()
    {
        using var workspace = new TempDirectory();
        using var runtime = new DockerRuntime(new DockerRuntimeOptions { GroupName = "agentfense-tests-describe", DefaultImage = "example/image:1" });
        var spec = BoxFixture.Spec(workspace.Path, s => s with
        {
            Limits = new BoxLimits { MemoryBytes = 64L << 20, CpuQuotaMicroseconds = 50_000, CpuShares = 512, PidsMax = 100, TmpSizeBytes = 8L << 20 },
        });
        var request = runtime.DescribeContainer(spec);
        Assert.Equal("example/image:1", request.Image);
        Assert.Equal("1000:1000", request.User);
        Assert.Equal("none", request.HostConfig.NetworkMode);
        Assert.True(request.HostConfig.ReadonlyRootfs);
        Assert.Equal(["ALL"], request.HostConfig.CapDrop);
        Assert.Contains("no-new-privileges:true", request.HostConfig.SecurityOpt);
        Assert.Null(request.HostConfig.CapAdd);
        Assert.False(request.HostConfig.Privileged);
        Assert.Equal(64L << 20, request.HostConfig.Memory);
        Assert.Equal(64L << 20, request.HostConfig.MemorySwap);
        Assert.Equal(50_000, request.HostConfig.CPUQuota);
        Assert.Equal(100_000, request.HostConfig.CPUPeriod);
        Assert.Equal(512, request.HostConfig.CPUShares);
        Assert.Equal(100, request.HostConfig.PidsLimit);
        Assert.Contains("size=8388608", request.HostConfig.Tmpfs["/tmp"], StringComparison.Ordinal);
        Assert.Equal("true", request.Labels["io.agentfense.managed"]);
        Assert.Equal("agentfense-tests-describe", request.Labels["io.agentfense.group"]);
        Assert.Equal(spec.Id, request.Labels["io.agentfense.sandbox"]);
        var workspaceMount = Assert.Single(request.HostConfig.Mounts, m => m.Target == "/workspace");
        Assert.Equal(workspace.Path, workspaceMount.Source);
        Assert.False(workspaceMount.ReadOnly);
        Assert.All(request.HostConfig.Mounts.Where(m => m.Target.StartsWith("/.agentfense/lib", StringComparison.Ordinal) || m.Target == "/.agentfense/init"),
            m => Assert.True(m.ReadOnly, $"{m.Target} is writable"));
        Assert.Contains("--connect", request.Entrypoint);
        Assert.Equal("bridge", runtime.DescribeContainer(spec with { Network = true }).HostConfig.NetworkMode);
    }

    [Fact]
    public async Task StartAsync_BusyboxImageWithoutLibc_InitRunsThroughItsOwnLoader()
    {
        BoxFixture.Require("docker");
        using var workspace = BoxFixture.Workspace();
        workspace.WriteFile("hello.txt", "from host");
        await using var box = await BoxFixture.Docker.StartAsync(BoxFixture.Spec(workspace.Path, s => s with { Image = TestImages.Busybox }), Token);
        var result = await BoxFixture.RunAsync(box, "id; cat hello.txt; echo; ls /lib* 2>&1 | head -1; touch /x 2>&1; echo made > out.txt");
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutText.Split('\n');
        Assert.Equal("uid=1000(sandbox) gid=1000(sandbox) groups=1000(sandbox)", lines[0]);
        Assert.Equal("from host", lines[1]);
        // The image has no libc: init's loader lives only under /.agentfense, nothing of the host's is added to the image's paths.
        Assert.Contains("No such file or directory", lines[2], StringComparison.Ordinal);
        Assert.Contains("Read-only file system", result.StdoutText, StringComparison.Ordinal);
        Assert.Equal("made\n", File.ReadAllText(workspace["out.txt"]));
        // Sessions too: init needs nothing of the image (an init that loaded libssl for its session token died here).
        await using var session = await box.Client.CreateSessionAsync(new AgentFense.Runtime.Init.SessionOptions { Environment = box.Environment }, Token);
        Assert.Equal("/tmp\n", (await session.ExecAsync("cd /tmp && pwd", cancellationToken: Token)).StdoutText);
    }

    [Fact]
    public async Task StartAsync_ImageMissing_ImageNotFoundNamingItAndNothingLeft()
    {
        BoxFixture.Require("docker");
        using var workspace = BoxFixture.Workspace();
        var spec = BoxFixture.Spec(workspace.Path, s => s with { Image = "agentfense-test/no-such-image:404" });
        var error = await Assert.ThrowsAsync<BoxImageNotFoundException>(() => BoxFixture.Docker.StartAsync(spec, Token));
        Assert.Equal("agentfense-test/no-such-image:404", error.Image);
        Assert.Contains("agentfense-test/no-such-image:404", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Docker("ps", "-aq", "--filter", $"label=io.agentfense.sandbox={spec.Id}"));
        Assert.False(Directory.Exists(Path.Combine(BoxFixture.Docker.Options.StateDirectory, "docker", spec.Id)));
    }

    [Fact]
    public async Task StartAsync_DaemonNotReachable_UnavailableNamingTheSocket()
    {
        BoxFixture.Require("docker");
        using var state = new TempDirectory();
        using var workspace = BoxFixture.Workspace();
        using var runtime = new DockerRuntime(new DockerRuntimeOptions
        {
            Endpoint = new Uri($"unix://{state.Path}/docker.sock"),
            StateDirectory = state.Path,
            DefaultImage = TestImages.Debian,
        });
        var spec = BoxFixture.Spec(workspace.Path);
        var error = await Assert.ThrowsAsync<BoxRuntimeUnavailableException>(() => runtime.StartAsync(spec, Token));
        Assert.Equal($"{state.Path}/docker.sock", error.Endpoint);
        Assert.Contains($"{state.Path}/docker.sock", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state.Path, "docker", spec.Id)));
        await Assert.ThrowsAsync<BoxRuntimeUnavailableException>(() => runtime.SweepAsync(Token));
    }

    [Fact]
    public async Task SweepAsync_ContainerOfACrashedEngine_RemovedOthersKept()
    {
        BoxFixture.Require("docker");
        using var workspace = BoxFixture.Workspace();
        // Two engines' groups: the sweep of one must not touch the other's boxes.
        using var crashed = new DockerRuntime(new DockerRuntimeOptions { GroupName = "agentfense-tests-sweep", DefaultImage = TestImages.Debian });
        var leftover = await crashed.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        await using var other = await BoxFixture.Docker.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        using var next = new DockerRuntime(new DockerRuntimeOptions { GroupName = "agentfense-tests-sweep", DefaultImage = TestImages.Debian });
        var removed = await next.SweepAsync(Token);
        Assert.Equal([leftover.Id], removed);
        Assert.Empty(await Docker("ps", "-aq", "--filter", $"label=io.agentfense.sandbox={leftover.Id}"));
        // The swept box's init lost its container: the box sees it end on its own.
        var exit = await leftover.Exited.WaitAsync(TimeSpan.FromSeconds(20), Token);
        Assert.False(exit.Stopped);
        Assert.False(BoxLifecycleTests.Alive(leftover.Pid));
        Assert.Equal(0, (await BoxFixture.RunAsync(other, "true")).ExitCode);
    }

    /// <summary>Runs the docker CLI; its output lines.</summary>
    private static async Task<string[]> Docker(params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        Assert.True(process.ExitCode == 0, $"docker {string.Join(' ', args)} failed: {await process.StandardError.ReadToEndAsync(Token)}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
