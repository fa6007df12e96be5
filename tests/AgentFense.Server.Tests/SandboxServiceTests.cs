using System.Diagnostics;
using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>SandboxService over gRPC and REST against a real server; the box tests run real bwrap boxes over FUSE.</summary>
public sealed class SandboxServiceTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task UnknownSandbox_NotFound()
    {
        await using var harness = await ServerHarness.StartAsync();
        const string id = "sb_0000000000000000";
        var client = harness.Sandboxes;
        await AssertStatusAsync(StatusCode.NotFound, () => client.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync,
            "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(StatusCode.NotFound, () => client.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.ExecAsync(new ExecRequest { SandboxId = id, Command = "true" }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = "cb_0000000000000000" }, cancellationToken: Token).ResponseAsync,
            "CODEBASE_NOT_FOUND");
        foreach (var (method, route) in new[] { ("GET", $"/v1/sandboxes/{id}"), ("POST", $"/v1/sandboxes/{id}/start"), ("DELETE", $"/v1/sandboxes/{id}") })
        {
            var (status, _) = await harness.SendJsonAsync(new HttpMethod(method), route);
            Assert.Equal(HttpStatusCode.NotFound, status);
        }
        var (execStatus, error) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/exec", new { command = "true" });
        Assert.Equal(HttpStatusCode.NotFound, execStatus);
        // The REST error body is the google.rpc.Status: code, message, details with the ErrorInfo.
        Assert.Equal(5, error.GetProperty("code").GetInt32());
        var info = Assert.Single(error.GetProperty("details").EnumerateArray());
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", info.GetProperty("@type").GetString());
        Assert.Equal("SANDBOX_NOT_FOUND", info.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task CreateSandbox_BadRule_InvalidArgument()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id };
        request.Permissions.Add(new PermissionRule { Pattern = "**" });
        await AssertStatusAsync(StatusCode.InvalidArgument, () => harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token).ResponseAsync,
            "INVALID_RULE");
        Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes);
    }

    [Fact]
    public async Task Metadata_SurvivesServerRestart()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo", OwnerId = "alice" }, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "src/app.py", Encoding.UTF8.GetBytes("print('hi')\n"));
        var created = await harness.Sandboxes.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        Assert.Matches("^sb_[0-9a-f]{16}$", created.Id);
        Assert.Equal(SandboxStatus.Pending, created.Status);
        await AssertStatusAsync(StatusCode.FailedPrecondition,
            () => harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = created.Id, Command = "true" }, cancellationToken: Token).ResponseAsync,
            "SANDBOX_NOT_RUNNING");
        // A codebase with sandboxes stays.
        await AssertStatusAsync(StatusCode.FailedPrecondition,
            () => harness.Codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token).ResponseAsync);

        await harness.RestartAsync();

        var codebaseAfter = await harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal((1, 12L, "alice"), (codebaseAfter.FileCount, codebaseAfter.Size, codebaseAfter.OwnerId));
        var sandboxAfter = await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = created.Id }, cancellationToken: Token);
        Assert.Equal(created, sandboxAfter);
        var listed = await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal(created.Id, Assert.Single(listed.Sandboxes).Id);

        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = created.Id }, cancellationToken: Token);
        await harness.RestartAsync();
        await AssertStatusAsync(StatusCode.NotFound, () => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = created.Id }, cancellationToken: Token).ResponseAsync);
    }

    [Fact]
    public async Task ExpiresIn_PastIt_SandboxDestroyed()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var expiring = NewSandboxRequest(codebase.Id);
        expiring.ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500));
        var doomed = await harness.Sandboxes.CreateSandboxAsync(expiring, cancellationToken: Token);
        Assert.NotNull(doomed.ExpiresAt);
        var kept = await harness.Sandboxes.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        Assert.Null(kept.ExpiresAt);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var listed = await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token);
            if (listed.Sandboxes.All(s => s.Id != doomed.Id))
                break;
            Assert.True(DateTime.UtcNow < deadline, "the expired sandbox is still listed");
            await Task.Delay(100, Token);
        }
        await AssertStatusAsync(StatusCode.NotFound, () => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = doomed.Id }, cancellationToken: Token).ResponseAsync);
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "deltas", doomed.Id)));
        await harness.RestartAsync();
        var after = await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token);
        Assert.Equal(kept.Id, Assert.Single(after.Sandboxes).Id);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Lifecycle_CreateStartExecStopDestroy_OverGrpc()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# demo\n"));
        var client = harness.Sandboxes;
        var sandbox = await client.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        var id = sandbox.Id;
        try
        {
            var started = await client.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal(SandboxStatus.Running, started.Status);
            Assert.NotNull(started.StartedAt);

            var hi = await client.ExecAsync(new ExecRequest { SandboxId = id, Command = "echo hi" }, cancellationToken: Token);
            Assert.Equal(("hi\n", 0), (hi.Stdout, hi.ExitCode));
            var failed = await client.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat README.md; echo oops >&2; exit 3" }, cancellationToken: Token);
            Assert.Equal(("# demo\n", "oops\n", 3), (failed.Stdout, failed.Stderr, failed.ExitCode));
            // The request's variables are added to the box's environment (HOME stays), not instead of it.
            var input = new ExecRequest { SandboxId = id, Command = "cat; echo \"$GREETING\"; pwd; test -n \"$HOME\" && echo has-home", Stdin = "in\n", Workdir = "." };
            input.Env.Add("GREETING", "hello");
            var echoed = await client.ExecAsync(input, cancellationToken: Token);
            Assert.Equal("in\nhello\n/workspace\nhas-home\n", echoed.Stdout.Replace("/workspace/.", "/workspace", StringComparison.Ordinal));
            await AssertStatusAsync(StatusCode.DeadlineExceeded, () => client.ExecAsync(
                new ExecRequest { SandboxId = id, Command = "sleep 10", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)) }, cancellationToken: Token).ResponseAsync,
                "COMMAND_TIMEOUT");

            var stopped = await client.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal(SandboxStatus.Stopped, stopped.Status);
            Assert.NotNull(stopped.StoppedAt);
            await AssertStatusAsync(StatusCode.FailedPrecondition,
                () => client.ExecAsync(new ExecRequest { SandboxId = id, Command = "true" }, cancellationToken: Token).ResponseAsync);
        }
        finally
        {
            await client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
        await AssertStatusAsync(StatusCode.NotFound, () => client.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "deltas", id)));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Lifecycle_OverRestRoutes_ProtoJsonShapes()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (status, codebase) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases", new { name = "demo" });
        Assert.Equal(HttpStatusCode.OK, status);
        var codebaseId = codebase.GetProperty("id").GetString()!;
        (status, var sandbox) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes", new
        {
            codebaseId,
            permissions = new[] { new { pattern = "/**", permission = "PERMISSION_WRITE", type = "PATTERN_TYPE_GLOB", priority = 0 } },
            labels = new Dictionary<string, string> { ["team"] = "a" },
            expiresIn = "3600s",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        var id = sandbox.GetProperty("id").GetString()!;
        try
        {
            Assert.Equal("SANDBOX_STATUS_PENDING", sandbox.GetProperty("status").GetString());
            Assert.Equal("PERMISSION_WRITE", sandbox.GetProperty("permissions")[0].GetProperty("permission").GetString());
            Assert.Equal("a", sandbox.GetProperty("labels").GetProperty("team").GetString());
            Assert.Equal("RUNTIME_TYPE_BWRAP", sandbox.GetProperty("runtime").GetString());
            Assert.True(sandbox.TryGetProperty("expiresAt", out _));

            (status, var started) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/start");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("SANDBOX_STATUS_RUNNING", started.GetProperty("status").GetString());
            (status, var result) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/exec", new { command = "echo hi > out.txt; cat out.txt; exit 4" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("hi\n", result.GetProperty("stdout").GetString());
            Assert.Equal(4, result.GetProperty("exitCode").GetInt32());
            Assert.EndsWith("s", result.GetProperty("duration").GetString(), StringComparison.Ordinal);

            (status, var got) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}");
            Assert.Equal("SANDBOX_STATUS_RUNNING", got.GetProperty("status").GetString());
            (status, var listed) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes?codebaseId={codebaseId}");
            Assert.Equal(id, Assert.Single(listed.GetProperty("sandboxes").EnumerateArray()).GetProperty("id").GetString());

            (status, var stopped) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/stop");
            Assert.Equal("SANDBOX_STATUS_STOPPED", stopped.GetProperty("status").GetString());
            (status, _) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/exec", new { command = "true" });
            Assert.Equal(HttpStatusCode.BadRequest, status); // FAILED_PRECONDITION

            // A stopped sandbox starts again with its delta.
            await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/start");
            (_, result) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/exec", new { command = "cat out.txt" });
            Assert.Equal("hi\n", result.GetProperty("stdout").GetString());
        }
        finally
        {
            (status, _) = await harness.SendJsonAsync(HttpMethod.Delete, $"/v1/sandboxes/{id}");
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Restart_RunningSandboxComesBackRunningWithItsDelta_StoppedStaysStopped()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var running = await harness.Sandboxes.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        var stopped = await harness.Sandboxes.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        try
        {
            foreach (var id in new[] { running.Id, stopped.Id })
                await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
            await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = running.Id, Command = "echo kept > note.txt" }, cancellationToken: Token);
            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = stopped.Id }, cancellationToken: Token);

            await harness.RestartAsync();

            var after = await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = running.Id }, cancellationToken: Token);
            Assert.Equal(SandboxStatus.Running, after.Status);
            var note = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = running.Id, Command = "cat note.txt" }, cancellationToken: Token);
            Assert.Equal("kept\n", note.Stdout);
            Assert.Equal(SandboxStatus.Stopped,
                (await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = stopped.Id }, cancellationToken: Token)).Status);
        }
        finally
        {
            foreach (var id in new[] { running.Id, stopped.Id })
                await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Shutdown_CommandStillRunning_EndsAfterTheGraceAndTheSandboxResumes()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(NewSandboxRequest(codebase.Id), cancellationToken: Token);
        try
        {
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            var pending = harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "sleep 60" }, cancellationToken: Token).ResponseAsync;
            await Task.Delay(300, Token);
            var clock = Stopwatch.StartNew();
            await harness.RestartAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the stop took {clock.Elapsed}");
            await Assert.ThrowsAsync<RpcException>(() => pending);
            var after = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "echo back" }, cancellationToken: Token);
            Assert.Equal("back\n", after.Stdout);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
    }

    private static void RequireBoxes()
    {
        Requires.Bwrap();
        Requires.Fuse();
    }

    private static CreateSandboxRequest NewSandboxRequest(string codebaseId)
    {
        var request = new CreateSandboxRequest { CodebaseId = codebaseId, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        request.Permissions.Add(new PermissionRule { Pattern = "/secrets/**", Permission = Permission.None, Priority = 10 });
        request.Labels.Add("team", "a");
        request.Resources = new ResourceLimits { MemoryBytes = 512L * 1024 * 1024, PidsLimit = 256 };
        return request;
    }

    private static async Task AssertStatusAsync(StatusCode expected, Func<Task> call, string? reason = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
        if (reason is not null)
            Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
    }
}
