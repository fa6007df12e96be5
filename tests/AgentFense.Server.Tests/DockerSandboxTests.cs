using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.Runtime.Docker;
using AgentFense.TestSupport;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>Docker sandboxes through the API against a real server and a real dockerd, with the local test images.</summary>
[Trait("Requires", "Docker")]
public sealed class DockerSandboxTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task Lifecycle_DockerSandbox_ExecStopStartKeepsDeltaDestroyRemovesContainer()
    {
        RequireDocker();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# demo\n"));
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(DockerRequest(codebase.Id, TestImages.Debian), cancellationToken: Token);
        Assert.Equal(RuntimeType.Docker, sandbox.Runtime);
        Assert.Equal(TestImages.Debian, sandbox.Image);
        try
        {
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            var hi = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "cat README.md; id -un; echo kept > note.txt" }, cancellationToken: Token);
            Assert.Equal(("# demo\nsandbox\n", 0), (hi.Stdout, hi.ExitCode));
            var first = await Containers(sandbox.Id);
            Assert.Single(first);

            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            Assert.Empty(await Containers(sandbox.Id));
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            var note = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "cat note.txt" }, cancellationToken: Token);
            Assert.Equal("kept\n", note.Stdout);
            Assert.NotEqual(first, await Containers(sandbox.Id));
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
        Assert.Empty(await Containers(sandbox.Id));
    }

    [Fact]
    public async Task CreateSandbox_ImageMissing_InvalidArgumentImageNotFoundNothingLeft()
    {
        RequireDocker();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.CreateSandboxAsync(DockerRequest(codebase.Id, "agentfense-test/missing:404"), cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("IMAGE_NOT_FOUND", Services.ApiErrors.ReasonOf(e));
        Assert.Contains("agentfense-test/missing:404", e.Status.Detail, StringComparison.Ordinal);
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes",
            new { codebaseId = codebase.Id, runtime = "RUNTIME_TYPE_DOCKER", image = "agentfense-test/missing:404" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("IMAGE_NOT_FOUND", body.ToString(), StringComparison.Ordinal);
        Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes);
    }

    [Fact]
    public async Task CreateSandbox_NoRuntimeNoImage_ServerDefaultsApply()
    {
        RequireDocker();
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with { DefaultRuntime = "docker", DefaultImage = TestImages.Busybox });
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        Assert.Equal((RuntimeType.Docker, TestImages.Busybox), (sandbox.Runtime, sandbox.Image));
        try
        {
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            var busybox = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "readlink /bin/sh" }, cancellationToken: Token);
            Assert.Equal("busybox\n", busybox.Stdout);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
        // A bwrap sandbox takes no image.
        var bwrap = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap, Image = TestImages.Busybox };
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.CreateSandboxAsync(bwrap, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task CreateSandbox_DaemonDown_UnavailableNamingTheSocketBwrapStillWorks()
    {
        RequireDocker();
        using var state = new TempDirectory("agentfense-state-");
        var socket = Path.Combine(state.Path, "docker.sock");
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with
        {
            Docker = new DockerRuntimeOptions { Endpoint = new Uri($"unix://{socket}"), StateDirectory = state.Path },
        });
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.CreateSandboxAsync(DockerRequest(codebase.Id, TestImages.Debian), cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("DOCKER_UNAVAILABLE", Services.ApiErrors.ReasonOf(e));
        Assert.Contains(socket, e.Status.Detail, StringComparison.Ordinal);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Read });
        var bwrap = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = bwrap.Id }, cancellationToken: Token);
        Assert.Equal("ok\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = bwrap.Id, Command = "echo ok" }, cancellationToken: Token)).Stdout);
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = bwrap.Id }, cancellationToken: Token);
    }

    [Fact]
    public async Task Restart_RunningDockerSandbox_FreshContainerOverTheSameDelta()
    {
        RequireDocker();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(DockerRequest(codebase.Id, TestImages.Debian), cancellationToken: Token);
        try
        {
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "echo kept > note.txt" }, cancellationToken: Token);
            var before = await Containers(sandbox.Id);
            await harness.RestartAsync();
            var after = await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            Assert.Equal(SandboxStatus.Running, after.Status);
            Assert.Equal("kept\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "cat note.txt" }, cancellationToken: Token)).Stdout);
            var now = Assert.Single(await Containers(sandbox.Id));
            Assert.DoesNotContain(now, before);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
    }

    private static void RequireDocker()
    {
        Requires.Fuse();
        Requires.Docker();
        TestImages.Ensure();
    }

    private static CreateSandboxRequest DockerRequest(string codebaseId, string image)
    {
        var request = new CreateSandboxRequest { CodebaseId = codebaseId, Runtime = RuntimeType.Docker, Image = image };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        request.Resources = new ResourceLimits { MemoryBytes = 256L * 1024 * 1024, PidsLimit = 128 };
        return request;
    }

    /// <summary>Ids of the containers (running or not) labelled with sandbox <paramref name="id"/>.</summary>
    private static async Task<string[]> Containers(string id)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", ["ps", "-aq", "--no-trunc", "--filter", $"label=io.agentfense.sandbox={id}"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
