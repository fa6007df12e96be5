using System.Diagnostics;
using System.Net;
using System.Text;
using AgentFense.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static AgentFense.Server.Tests.RunningSandbox;

namespace AgentFense.Server.Tests;

/// <summary>Background processes against a real server with real boxes, over gRPC and REST.</summary>
public sealed class ProcessTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ReadProcessOutput_IncrementalReads_GetExactlyTheNewBytes_EofOnceEndedAndDrained()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            // The process waits for a file only the test creates, so the first read surely sees it still running.
            var process = await client.StartProcessAsync(new StartProcessRequest
            {
                SandboxId = id,
                Command = "echo first; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo second; echo oops >&2; exit 3",
            }, cancellationToken: Token);
            Assert.Matches("^proc_[0-9a-f]{16}$", process.Id);
            Assert.Equal(SandboxProcessStatus.Running, process.Status);
            Assert.True(process.Pid > 1);

            var read = await ReadUntilAsync(client, id, process.Id, 0, 0, r => r.Stdout.Length >= 6);
            Assert.Equal("first\n", read.Stdout.ToStringUtf8());
            Assert.Equal((6L, 0L, false), (read.StdoutOffset, read.StderrOffset, read.Eof));
            Assert.Equal(SandboxProcessStatus.Running, read.Process.Status);

            var partial = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id, MaxBytes = 3 }, cancellationToken: Token);
            Assert.Equal(("fir", 3L), (partial.Stdout.ToStringUtf8(), partial.StdoutOffset));

            await client.ExecAsync(new ExecRequest { SandboxId = id, Command = "touch /tmp/go" }, cancellationToken: Token);
            var ended = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            Assert.Equal((SandboxProcessStatus.Exited, 3), (ended.Status, ended.ExitCode));
            Assert.NotNull(ended.EndedAt);
            Assert.False(ended.StdoutTruncated || ended.StderrTruncated);

            var rest = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest
            {
                SandboxId = id, ProcessId = process.Id, StdoutOffset = read.StdoutOffset, StderrOffset = read.StderrOffset,
            }, cancellationToken: Token);
            Assert.Equal(("second\n", "oops\n"), (rest.Stdout.ToStringUtf8(), rest.Stderr.ToStringUtf8()));
            Assert.Equal((13L, 5L, true), (rest.StdoutOffset, rest.StderrOffset, rest.Eof));
            Assert.Equal(SandboxProcessStatus.Exited, rest.Process.Status);

            var drained = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest
            {
                SandboxId = id, ProcessId = process.Id, StdoutOffset = rest.StdoutOffset, StderrOffset = rest.StderrOffset,
            }, cancellationToken: Token);
            Assert.True(drained.Stdout.IsEmpty && drained.Stderr.IsEmpty && drained.Eof);

            // Ended but not drained: no eof yet.
            var again = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id, MaxBytes = 4 }, cancellationToken: Token);
            Assert.False(again.Eof);

            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => client.ReadProcessOutputAsync(
                new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id, StdoutOffset = -1 }, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => client.ReadProcessOutputAsync(
                new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id, MaxBytes = -5 }, cancellationToken: Token).ResponseAsync);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StartProcess_EnvWorkdirStdinTimeout_Apply_BadInputIsInvalidArgument()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            await client.ExecAsync(new ExecRequest { SandboxId = id, Command = "mkdir -p sub" }, cancellationToken: Token);
            var start = new StartProcessRequest
            {
                SandboxId = id,
                Command = "echo \"$GREETING $PWD\"; command -v ls; cat",
                Workdir = "sub",
                Stdin = ByteString.CopyFromUtf8("from stdin"),
            };
            start.Env.Add("GREETING", "hello");
            var process = await client.StartProcessAsync(start, cancellationToken: Token);
            var ended = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) }, cancellationToken: Token);
            Assert.Equal((SandboxProcessStatus.Exited, 0), (ended.Status, ended.ExitCode));
            var output = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            // The given variable is added to the box's environment: PATH still finds ls.
            Assert.Matches("^hello /workspace/sub\n/.*/ls\nfrom stdin$", output.Stdout.ToStringUtf8());

            var slow = await client.StartProcessAsync(new StartProcessRequest
            {
                SandboxId = id, Command = "sleep 30", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)),
            }, cancellationToken: Token);
            var killed = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = slow.Id }, cancellationToken: Token);
            Assert.Equal((SandboxProcessStatus.Exited, 128 + 9), (killed.Status, killed.ExitCode));

            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT",
                () => client.StartProcessAsync(new StartProcessRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
            var badEnv = new StartProcessRequest { SandboxId = id, Command = "true" };
            badEnv.Env.Add("A=B", "c");
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => client.StartProcessAsync(badEnv, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => client.StartProcessAsync(new StartProcessRequest
            {
                SandboxId = id, Command = "true", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(-1)),
            }, cancellationToken: Token).ResponseAsync);
            // Nothing was started by the refused requests.
            var list = await client.ListProcessesAsync(new ListProcessesRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal([process.Id, slow.Id], list.Processes.Select(p => p.Id));
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StartProcess_WithoutTimeout_IgnoresTheServersDefaultExecTimeout()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with { DefaultExecTimeout = TimeSpan.FromMilliseconds(200) });
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "sleep 1; exit 6" }, cancellationToken: Token);
            var ended = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            Assert.Equal((SandboxProcessStatus.Exited, 6), (ended.Status, ended.ExitCode));
            // The interactive command is a command like Exec's: the default applies.
            using var call = client.ExecInteractive(cancellationToken: Token);
            await call.RequestStream.WriteAsync(new ExecInput { Start = new ExecRequest { SandboxId = id, Command = "sleep 5" } }, Token);
            await AssertErrorAsync(StatusCode.DeadlineExceeded, "COMMAND_TIMEOUT", () => call.ResponseStream.MoveNext(Token));
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task WaitSignalDelete_TimeoutReturnsRunning_CancelKeepsItRunning_SigtermIs143_DeleteKills()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "sleep 60" }, cancellationToken: Token);
            var clock = Stopwatch.StartNew();
            var waited = await client.WaitProcessAsync(new WaitProcessRequest
            {
                SandboxId = id, ProcessId = process.Id, Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
            }, cancellationToken: Token);
            Assert.Equal(SandboxProcessStatus.Running, waited.Status);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(10));

            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token))
            {
                var call = client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: cancel.Token);
                await Task.Delay(200, Token);
                cancel.Cancel();
                var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
                Assert.Equal(StatusCode.Cancelled, e.StatusCode);
            }
            await Task.Delay(100, Token);
            Assert.Equal(SandboxProcessStatus.Running, (await client.GetProcessAsync(new GetProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token)).Status);

            foreach (var bad in new[] { 0, -1, 65, 1000 })
            {
                await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => client.SignalProcessAsync(
                    new SignalProcessRequest { SandboxId = id, ProcessId = process.Id, Signal = bad }, cancellationToken: Token).ResponseAsync);
            }
            await client.SignalProcessAsync(new SignalProcessRequest { SandboxId = id, ProcessId = process.Id, Signal = 15 }, cancellationToken: Token);
            var ended = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            Assert.Equal((SandboxProcessStatus.Exited, 143), (ended.Status, ended.ExitCode));
            // Signalling an exited process changes nothing.
            var after = await client.SignalProcessAsync(new SignalProcessRequest { SandboxId = id, ProcessId = process.Id, Signal = 9 }, cancellationToken: Token);
            Assert.Equal(143, after.ExitCode);

            var running = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "exec sleep 60" }, cancellationToken: Token);
            var list = await client.ListProcessesAsync(new ListProcessesRequest { SandboxId = id }, cancellationToken: Token);
            Assert.Equal([(process.Id, SandboxProcessStatus.Exited), (running.Id, SandboxProcessStatus.Running)],
                list.Processes.Select(p => (p.Id, p.Status)));

            await client.DeleteProcessAsync(new DeleteProcessRequest { SandboxId = id, ProcessId = running.Id }, cancellationToken: Token);
            Assert.True(await ProcessGoneAsync(harness, id, running.Pid), "the deleted process still runs in the box");
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.GetProcessAsync(new GetProcessRequest { SandboxId = id, ProcessId = running.Id }, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.DeleteProcessAsync(new DeleteProcessRequest { SandboxId = id, ProcessId = running.Id }, cancellationToken: Token).ResponseAsync);
            await client.DeleteProcessAsync(new DeleteProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            Assert.Empty((await client.ListProcessesAsync(new ListProcessesRequest { SandboxId = id }, cancellationToken: Token)).Processes);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Processes_EndWithTheSandbox_UnknownIsNotFound_NotRunningIsFailedPrecondition()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.GetProcessAsync(new GetProcessRequest { SandboxId = id, ProcessId = "proc_0000000000000000" }, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.NotFound, "SANDBOX_NOT_FOUND",
                () => client.ListProcessesAsync(new ListProcessesRequest { SandboxId = "sb_0000000000000000" }, cancellationToken: Token).ResponseAsync);

            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "exec sleep 60" }, cancellationToken: Token);
            await client.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.GetProcessAsync(new GetProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token).ResponseAsync);
            Assert.Empty((await client.ListProcessesAsync(new ListProcessesRequest { SandboxId = id }, cancellationToken: Token)).Processes);
            await AssertErrorAsync(StatusCode.FailedPrecondition, "SANDBOX_NOT_RUNNING",
                () => client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "true" }, cancellationToken: Token).ResponseAsync);

            // A fresh box does not bring the old id back, nor reach a process of its own through it.
            await client.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
            var fresh = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "exec sleep 60" }, cancellationToken: Token);
            Assert.NotEqual(process.Id, fresh.Id);
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.SignalProcessAsync(new SignalProcessRequest { SandboxId = id, ProcessId = process.Id, Signal = 9 }, cancellationToken: Token).ResponseAsync);
            Assert.Equal(SandboxProcessStatus.Running, (await client.GetProcessAsync(new GetProcessRequest { SandboxId = id, ProcessId = fresh.Id }, cancellationToken: Token)).Status);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Output_PastTheLimit_IsTruncated_AndReadInChunksOfAtMost1MiB()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        var client = harness.Sandboxes;
        try
        {
            const long limit = 16L * 1024 * 1024;
            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = $"head -c {limit + 4096} /dev/zero" }, cancellationToken: Token);
            var ended = await client.WaitProcessAsync(new WaitProcessRequest { SandboxId = id, ProcessId = process.Id }, cancellationToken: Token);
            Assert.Equal((0, true, false), (ended.ExitCode, ended.StdoutTruncated, ended.StderrTruncated));
            long offset = 0;
            var reads = 0;
            while (true)
            {
                var read = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest { SandboxId = id, ProcessId = process.Id, StdoutOffset = offset, MaxBytes = 8 * 1024 * 1024 }, cancellationToken: Token);
                Assert.InRange(read.Stdout.Length, 0, 1024 * 1024);
                Assert.Equal(offset + read.Stdout.Length, read.StdoutOffset);
                offset = read.StdoutOffset;
                reads++;
                if (read.Eof)
                    break;
            }
            Assert.Equal(limit, offset);
            Assert.Equal(16, reads);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Rest_StartListGetOutputWaitSignalDelete()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/processes",
                new { command = "echo hi; exec sleep 60", env = new { A = "1" } });
            Assert.Equal(HttpStatusCode.OK, status);
            var processId = body.GetProperty("id").GetString()!;
            Assert.Equal("SANDBOX_PROCESS_STATUS_RUNNING", body.GetProperty("status").GetString());

            (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/processes");
            Assert.Equal(processId, Assert.Single(body.GetProperty("processes").EnumerateArray()).GetProperty("id").GetString());
            (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/processes/{processId}");
            Assert.Equal(HttpStatusCode.OK, status);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            string stdout;
            do
            {
                (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/processes/{processId}/output?stdoutOffset=0&maxBytes=100");
                Assert.Equal(HttpStatusCode.OK, status);
                stdout = body.TryGetProperty("stdout", out var data) ? Encoding.UTF8.GetString(data.GetBytesFromBase64()) : "";
            }
            while (stdout.Length == 0 && DateTime.UtcNow < deadline);
            Assert.Equal("hi\n", stdout);
            Assert.Equal("3", body.GetProperty("stdoutOffset").ToString());

            (status, body) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/processes/{processId}:wait", new { timeout = "0.1s" });
            Assert.Equal((HttpStatusCode.OK, "SANDBOX_PROCESS_STATUS_RUNNING"), (status, body.GetProperty("status").GetString()));
            (status, body) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/processes/{processId}:signal", new { signal = 99 });
            Assert.Equal(HttpStatusCode.BadRequest, status);
            (status, _) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/processes/{processId}:signal", new { signal = 15 });
            Assert.Equal(HttpStatusCode.OK, status);
            (status, body) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/processes/{processId}:wait", new { });
            Assert.Equal(("SANDBOX_PROCESS_STATUS_EXITED", 143), (body.GetProperty("status").GetString(), body.GetProperty("exitCode").GetInt32()));

            (status, _) = await harness.SendJsonAsync(HttpMethod.Delete, $"/v1/sandboxes/{id}/processes/{processId}");
            Assert.Equal(HttpStatusCode.OK, status);
            (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/processes/{processId}");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("PROCESS_NOT_FOUND", Assert.Single(body.GetProperty("details").EnumerateArray()).GetProperty("reason").GetString());
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task AnotherOwner_SeesNoneOfTheProcesses()
    {
        const string keyA = "key-of-alice-0123456789";
        const string keyB = "key-of-bob-9876543210";
        await using var harness = await ServerHarness.StartAsync(boxes: true, apiKeys: new Dictionary<string, string> { [keyA] = "alice", [keyB] = "bob" });
        var alice = new Metadata { { "authorization", $"Bearer {keyA}" } };
        var bob = new Metadata { { "authorization", $"Bearer {keyB}" } };
        var aliceSandbox = await StartAsync(harness, alice);
        var bobSandbox = await StartAsync(harness, bob);
        var client = harness.Sandboxes;
        try
        {
            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = aliceSandbox, Command = "exec sleep 60" }, alice, cancellationToken: Token);
            await AssertErrorAsync(StatusCode.NotFound, "SANDBOX_NOT_FOUND",
                () => client.GetProcessAsync(new GetProcessRequest { SandboxId = aliceSandbox, ProcessId = process.Id }, bob, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.NotFound, "SANDBOX_NOT_FOUND",
                () => client.ListProcessesAsync(new ListProcessesRequest { SandboxId = aliceSandbox }, bob, cancellationToken: Token).ResponseAsync);
            // Bob's own sandbox id with Alice's process id reaches nothing either.
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.SignalProcessAsync(new SignalProcessRequest { SandboxId = bobSandbox, ProcessId = process.Id, Signal = 9 }, bob, cancellationToken: Token).ResponseAsync);
            await AssertErrorAsync(StatusCode.NotFound, "PROCESS_NOT_FOUND",
                () => client.DeleteProcessAsync(new DeleteProcessRequest { SandboxId = bobSandbox, ProcessId = process.Id }, bob, cancellationToken: Token).ResponseAsync);
            var still = await client.GetProcessAsync(new GetProcessRequest { SandboxId = aliceSandbox, ProcessId = process.Id }, alice, cancellationToken: Token);
            Assert.Equal(SandboxProcessStatus.Running, still.Status);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, aliceSandbox, alice);
            await DestroyQuietlyAsync(harness, bobSandbox, bob);
        }
    }

    private static async Task<ReadProcessOutputResponse> ReadUntilAsync(SandboxService.SandboxServiceClient client, string id, string processId,
        long stdoutOffset, long stderrOffset, Func<ReadProcessOutputResponse, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var read = await client.ReadProcessOutputAsync(new ReadProcessOutputRequest
            {
                SandboxId = id, ProcessId = processId, StdoutOffset = stdoutOffset, StderrOffset = stderrOffset,
            }, cancellationToken: Token);
            if (done(read) || DateTime.UtcNow > deadline)
                return read;
            await Task.Delay(20, Token);
        }
    }
}
