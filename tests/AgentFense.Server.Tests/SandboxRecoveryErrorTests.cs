using System.Net;
using AgentFense.Api.V1;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>
/// After a server restart a running sandbox comes back running and says it was resumed, or, when it cannot
/// start (its codebase directory vanished, the init binary is broken), is ERROR with the reason, kept across
/// restarts until a start succeeds.
/// </summary>
[Trait("Requires", "Bwrap")]
public sealed class SandboxRecoveryErrorTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task Restart_Resumed_StatusReasonSaysSo_ClearedByStop()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var id = await RunningAsync(harness);
            Assert.Equal("", (await GetAsync(harness, id)).StatusReason);
            var before = DateTimeOffset.UtcNow;

            await harness.RestartAsync();

            var resumed = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Running, resumed.Status);
            Assert.StartsWith("resumed after a server restart at ", resumed.StatusReason, StringComparison.Ordinal);
            Assert.EndsWith("; commands, sessions and processes running before were lost", resumed.StatusReason, StringComparison.Ordinal);
            Assert.True(resumed.StartedAt.ToDateTimeOffset() >= before.AddSeconds(-1));
            Assert.Equal("kept\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat note.txt" }, cancellationToken: Token)).Stdout);

            var stopped = await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal((SandboxStatus.Stopped, ""), (stopped.Status, stopped.StatusReason));
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task Restart_CodebaseDirectoryVanished_ErrorWithReason_KeptAcrossRestart_StartAfterRepairClearsIt()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var moved = Path.Combine(harness.DataDirectory, "moved-away");
        try
        {
            var id = await RunningAsync(harness);
            var codebaseDirectory = Path.Combine(harness.DataDirectory, "codebases", (await GetAsync(harness, id)).CodebaseId);
            Assert.True(Directory.Exists(codebaseDirectory));

            await harness.RestartAsync(apiKeys: null, whileStopped: () => Directory.Move(codebaseDirectory, moved));

            var failed = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Error, failed.Status);
            Assert.StartsWith("could not be started again after a server restart at ", failed.StatusReason, StringComparison.Ordinal);
            await ApiAssert.StatusAsync(StatusCode.FailedPrecondition, "SANDBOX_NOT_RUNNING",
                () => harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "true" }, cancellationToken: Token).ResponseAsync);
            Assert.Equal(id, Assert.Single((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { Status = SandboxStatus.Error }, cancellationToken: Token)).Sandboxes).Id);
            var (status, json) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("SANDBOX_STATUS_ERROR", json.GetProperty("status").GetString());
            Assert.Equal(failed.StatusReason, json.GetProperty("statusReason").GetString());

            // Still broken at the next start: still ERROR (tried again, so a new reason), from SQLite.
            await harness.RestartAsync();
            var stillFailed = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Error, stillFailed.Status);
            Assert.StartsWith("could not be started again after a server restart at ", stillFailed.StatusReason, StringComparison.Ordinal);

            // StartSandbox tries again: failing, it stays ERROR; after the repair it runs, its error cleared, its delta intact.
            await Assert.ThrowsAsync<RpcException>(
                () => harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
            var retried = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Error, retried.Status);
            Assert.StartsWith("starting it again failed: ", retried.StatusReason, StringComparison.Ordinal);
            Directory.Move(moved, codebaseDirectory);
            var started = await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal((SandboxStatus.Running, ""), (started.Status, started.StatusReason));
            Assert.Equal("kept\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat note.txt" }, cancellationToken: Token)).Stdout);

            await harness.RestartAsync();
            Assert.Equal(SandboxStatus.Running, (await GetAsync(harness, id)).Status);
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task Restart_InitBroken_Error_NextStartWithAGoodInitResumesIt()
    {
        ApiAssert.RequireBoxes();
        string? brokenInit = null;
        await using var harness = await ServerHarness.StartAsync(boxes: true,
            configure: o => brokenInit is null ? o : o with { InitPath = brokenInit });
        try
        {
            var id = await RunningAsync(harness);
            brokenInit = Path.Combine(harness.DataDirectory, "broken-init");
            await File.WriteAllTextAsync(brokenInit, "#!/bin/sh\nexit 3\n", Token);
            File.SetUnixFileMode(brokenInit, (UnixFileMode)0b111_101_101);

            await harness.RestartAsync();

            var failed = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Error, failed.Status);
            Assert.StartsWith("could not be started again after a server restart at ", failed.StatusReason, StringComparison.Ordinal);

            brokenInit = null;
            await harness.RestartAsync();

            var resumed = await GetAsync(harness, id);
            Assert.Equal(SandboxStatus.Running, resumed.Status);
            Assert.StartsWith("resumed after a server restart at ", resumed.StatusReason, StringComparison.Ordinal);
            Assert.Equal("kept\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat note.txt" }, cancellationToken: Token)).Stdout);
        }
        finally
        {
            brokenInit = null;
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    private static async Task<string> RunningAsync(ServerHarness harness)
    {
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(await ApiAssert.CodebaseAsync(harness)), cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        var wrote = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "echo kept > note.txt" }, cancellationToken: Token);
        Assert.Equal(0, wrote.ExitCode);
        return sandbox.Id;
    }

    private static Task<Sandbox> GetAsync(ServerHarness harness, string id) =>
        harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync;
}
