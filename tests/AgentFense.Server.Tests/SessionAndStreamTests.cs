using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>ExecStream and sessions against a real server with real boxes.</summary>
public sealed class SessionAndStreamTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ExecStream_SendsStdoutAndStderrChunks_TimeoutIsDeadlineExceeded()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartSandboxAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            using (var call = client.ExecStream(new ExecRequest { SandboxId = id, Command = "echo out; echo err >&2; exit 5" }, cancellationToken: Token))
            {
                var stdout = new StringBuilder();
                var stderr = new StringBuilder();
                await foreach (var output in call.ResponseStream.ReadAllAsync(Token))
                    (output.Type == ExecOutput.Types.OutputType.Stderr ? stderr : stdout).Append(output.Data.ToStringUtf8());
                Assert.Equal(("out\n", "err\n"), (stdout.ToString(), stderr.ToString()));
                Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            }
            using (var slow = client.ExecStream(new ExecRequest { SandboxId = id, Command = "echo start; sleep 10", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)) }, cancellationToken: Token))
            {
                Assert.True(await slow.ResponseStream.MoveNext(Token));
                Assert.Equal("start\n", slow.ResponseStream.Current.Data.ToStringUtf8());
                var e = await Assert.ThrowsAsync<RpcException>(() => slow.ResponseStream.MoveNext(Token));
                Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
            }
        }
        finally
        {
            await client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Session_KeepsShellState_OverGrpcAndRest_ClosedByStop()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartSandboxAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            var create = new CreateSessionRequest { SandboxId = id };
            create.Env.Add("GREETING", "hello");
            var session = await client.CreateSessionAsync(create, cancellationToken: Token);
            Assert.Matches("^sess_[0-9a-f]{16}$", session.Id);
            Assert.Equal(SessionStatus.Active, session.Status);

            await client.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "mkdir -p sub && cd sub && export X=42" }, cancellationToken: Token);
            var result = await client.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "echo \"$PWD $X $GREETING\"; exit_code=7; (exit $exit_code)" }, cancellationToken: Token);
            Assert.Equal("/workspace/sub 42 hello\n", result.Stdout);
            Assert.Equal(7, result.ExitCode);

            var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sessions/{session.Id}/exec", new { command = "echo $X" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("42\n", body.GetProperty("stdout").GetString());

            using (var stream = client.SessionExecStream(new SessionExecRequest { SessionId = session.Id, Command = "echo streamed" }, cancellationToken: Token))
            {
                var text = new StringBuilder();
                await foreach (var output in stream.ResponseStream.ReadAllAsync(Token))
                    text.Append(output.Data.ToStringUtf8());
                Assert.Equal("streamed\n", text.ToString());
            }

            (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/sessions");
            Assert.Equal(session.Id, Assert.Single(body.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
            (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sessions/{session.Id}");
            Assert.Equal("SESSION_STATUS_ACTIVE", body.GetProperty("status").GetString());

            var second = await client.CreateSessionAsync(new CreateSessionRequest { SandboxId = id, Shell = "/bin/sh" }, cancellationToken: Token);
            await client.DestroySessionAsync(new DestroySessionRequest { SessionId = second.Id }, cancellationToken: Token);
            await AssertStatusAsync(StatusCode.NotFound, () => client.GetSessionAsync(new GetSessionRequest { SessionId = second.Id }, cancellationToken: Token).ResponseAsync);

            await client.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            var closed = await client.GetSessionAsync(new GetSessionRequest { SessionId = session.Id }, cancellationToken: Token);
            Assert.Equal(SessionStatus.Closed, closed.Status);
            Assert.NotNull(closed.ClosedAt);
            await AssertStatusAsync(StatusCode.FailedPrecondition,
                () => client.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "true" }, cancellationToken: Token).ResponseAsync);
            await AssertStatusAsync(StatusCode.FailedPrecondition,
                () => client.CreateSessionAsync(new CreateSessionRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        }
        finally
        {
            await client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
        await AssertStatusAsync(StatusCode.NotFound,
            () => client.ListSessionsAsync(new ListSessionsRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
    }

    [Fact]
    public async Task UnknownSession_NotFound()
    {
        await using var harness = await ServerHarness.StartAsync();
        const string id = "sess_0000000000000000";
        var client = harness.Sandboxes;
        await AssertStatusAsync(StatusCode.NotFound, () => client.GetSessionAsync(new GetSessionRequest { SessionId = id }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.SessionExecAsync(new SessionExecRequest { SessionId = id, Command = "true" }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => client.DestroySessionAsync(new DestroySessionRequest { SessionId = id }, cancellationToken: Token).ResponseAsync);
        var (status, _) = await harness.SendJsonAsync(HttpMethod.Delete, $"/v1/sessions/{id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private static async Task<string> StartSandboxAsync(ServerHarness harness)
    {
        Requires.Bwrap();
        Requires.Fuse();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        return sandbox.Id;
    }

    private static async Task AssertStatusAsync(StatusCode expected, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
    }
}
