using AgentFense.Api.V1;
using AgentFense.Server.Services;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>Sessions are kept in SQLite: after a restart the sessions of before are listed CLOSED, not lost.</summary>
public sealed class SessionRecoveryTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Restart_SessionsOfBefore_AreClosed_AndGoWithTheirSandbox()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "sessions" }, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "README.md", "hello\n"u8.ToArray());
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        var live = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        var ended = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        await harness.Sandboxes.DestroySessionAsync(new DestroySessionRequest { SessionId = ended.Id }, cancellationToken: Token);
        var before = await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = live.Id, Command = "cd /tmp; echo $PWD" }, cancellationToken: Token);
        Assert.Equal("/tmp\n", before.Stdout);

        await harness.RestartAsync();

        var after = await harness.Sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = live.Id }, cancellationToken: Token);
        Assert.Equal(SessionStatus.Closed, after.Status);
        Assert.NotNull(after.ClosedAt);
        Assert.Equal(live.CreatedAt, after.CreatedAt);
        var listed = await harness.Sandboxes.ListSessionsAsync(new ListSessionsRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        Assert.Equal([live.Id], listed.Sessions.Select(s => s.Id));
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = live.Id, Command = "true" }, cancellationToken: Token));
        Assert.Equal((StatusCode.FailedPrecondition, ApiErrors.SessionClosed), (e.StatusCode, ApiErrors.ReasonOf(e)));
        // The destroyed session stays destroyed.
        e = await Assert.ThrowsAsync<RpcException>(async () =>
            await harness.Sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = ended.Id }, cancellationToken: Token));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        // The sandbox runs again: a new session works beside the closed one.
        var fresh = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        var result = await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = fresh.Id, Command = "cat README.md" }, cancellationToken: Token);
        Assert.Equal("hello\n", result.Stdout);

        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        await harness.RestartAsync();
        foreach (var id in new[] { live.Id, fresh.Id })
        {
            e = await Assert.ThrowsAsync<RpcException>(async () =>
                await harness.Sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = id }, cancellationToken: Token));
            Assert.Equal(StatusCode.NotFound, e.StatusCode);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ShellExit_ClosesTheSession()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "exit" }, cancellationToken: Token);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        try
        {
            var session = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            var e = await Assert.ThrowsAsync<RpcException>(async () =>
                await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "exit 3" }, cancellationToken: Token));
            Assert.Equal((StatusCode.FailedPrecondition, ApiErrors.SessionClosed), (e.StatusCode, ApiErrors.ReasonOf(e)));
            var closed = await harness.Sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = session.Id }, cancellationToken: Token);
            Assert.Equal(SessionStatus.Closed, closed.Status);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
    }
}
