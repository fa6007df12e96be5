using System.Net;
using AgentFense.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace AgentFense.Server.Tests;

/// <summary>The exec additions: output bytes beside valid UTF-8 strings, truncation, the exit message at the end of a stream, binary stdin, the default timeout.</summary>
[Trait("Requires", "Bwrap")]
public sealed class ExecOutputTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task Exec_InvalidUtf8_StringsReplaced_BytesExact_OverGrpcAndRest()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var id = await StartedAsync(harness);
            var result = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = @"printf 'a\377b\303'; printf '\376\342\202\254' >&2" }, cancellationToken: Token);
            Assert.Equal("a\uFFFDb\uFFFD", result.Stdout);
            Assert.Equal("\uFFFD\u20AC", result.Stderr);
            Assert.Equal(new byte[] { (byte)'a', 0xff, (byte)'b', 0xc3 }, result.StdoutBytes.ToByteArray());
            Assert.Equal(new byte[] { 0xfe, 0xe2, 0x82, 0xac }, result.StderrBytes.ToByteArray());
            Assert.False(result.StdoutTruncated || result.StderrTruncated);

            var (status, json) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/exec", new { command = @"printf 'x\377'" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("x\uFFFD", json.GetProperty("stdout").GetString());
            Assert.Equal(Convert.ToBase64String([(byte)'x', 0xff]), json.GetProperty("stdoutBytes").GetString());
            Assert.False(json.GetProperty("stdoutTruncated").GetBoolean());
            Assert.False(json.GetProperty("stderrTruncated").GetBoolean());
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task Exec_StdinBytes_BinaryReachesTheCommand_AndWinsOverStdin()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var id = await StartedAsync(harness);
            byte[] input = [0x00, 0xff, 0x10, 0x80, (byte)'\n', 0xc0];
            var result = await harness.Sandboxes.ExecAsync(new ExecRequest
            {
                SandboxId = id,
                Command = "cat",
                Stdin = "ignored",
                StdinBytes = ByteString.CopyFrom(input),
            }, cancellationToken: Token);
            Assert.Equal(input, result.StdoutBytes.ToByteArray());
            var text = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat", Stdin = "plain" }, cancellationToken: Token);
            Assert.Equal("plain", text.Stdout);
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task Exec_PastTheOutputLimit_Truncated()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var id = await StartedAsync(harness);
            // The result holds 16 MiB twice (string and bytes): more than a default client accepts.
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{harness.Server.GrpcEndPoint.Port}",
                new GrpcChannelOptions { MaxReceiveMessageSize = 128 * 1024 * 1024 });
            var client = new SandboxService.SandboxServiceClient(channel);
            var result = await client.ExecAsync(new ExecRequest { SandboxId = id, Command = "head -c 17000000 /dev/zero; echo small >&2" }, cancellationToken: Token);
            Assert.True(result.StdoutTruncated);
            Assert.False(result.StderrTruncated);
            Assert.Equal(16 * 1024 * 1024, result.StdoutBytes.Length);
            Assert.Equal("small\n", result.Stderr);

            using var stream = harness.Sandboxes.ExecStream(new ExecRequest { SandboxId = id, Command = "head -c 17000000 /dev/zero" }, cancellationToken: Token);
            var exit = (await ReadAllAsync(stream.ResponseStream)).Last.Exit;
            Assert.True(exit.StdoutTruncated);
            Assert.False(exit.StderrTruncated);
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task ExecStreamAndSessionExecStream_EndWithTheExit()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var id = await StartedAsync(harness);
            using (var stream = harness.Sandboxes.ExecStream(new ExecRequest { SandboxId = id, Command = "echo out; echo err >&2; sleep 0.2; exit 7" }, cancellationToken: Token))
            {
                var (stdout, stderr, last) = await ReadAllAsync(stream.ResponseStream);
                Assert.Equal(("out\n", "err\n"), (stdout, stderr));
                Assert.Equal(ExecOutput.Types.OutputType.Unspecified, last.Type);
                Assert.True(last.Data.IsEmpty);
                Assert.Equal(7, last.Exit.ExitCode);
                Assert.True(last.Exit.Duration.ToTimeSpan() >= TimeSpan.FromMilliseconds(200));
                Assert.False(last.Exit.StdoutTruncated || last.Exit.StderrTruncated);
            }
            using (var killed = harness.Sandboxes.ExecStream(new ExecRequest { SandboxId = id, Command = "kill -TERM $$" }, cancellationToken: Token))
                Assert.Equal(128 + 15, (await ReadAllAsync(killed.ResponseStream)).Last.Exit.ExitCode);

            var session = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = id }, cancellationToken: Token);
            await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "X=kept" }, cancellationToken: Token);
            using var sessionStream = harness.Sandboxes.SessionExecStream(new SessionExecRequest { SessionId = session.Id, Command = "echo $X; false" }, cancellationToken: Token);
            var (sessionOut, _, sessionLast) = await ReadAllAsync(sessionStream.ResponseStream);
            Assert.Equal("kept\n", sessionOut);
            Assert.Equal(1, sessionLast.Exit.ExitCode);
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    public async Task DefaultExecTimeout_AppliesWhenTheRequestSetsNone()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with { DefaultExecTimeout = TimeSpan.FromMilliseconds(500) });
        try
        {
            var id = await StartedAsync(harness);
            await ApiAssert.StatusAsync(StatusCode.DeadlineExceeded, "COMMAND_TIMEOUT",
                () => harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "sleep 30" }, cancellationToken: Token).ResponseAsync);
            // A request's own timeout wins over the default.
            var longer = await harness.Sandboxes.ExecAsync(new ExecRequest
            {
                SandboxId = id,
                Command = "sleep 1; echo done",
                Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(20)),
            }, cancellationToken: Token);
            Assert.Equal("done\n", longer.Stdout);
            var session = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = id }, cancellationToken: Token);
            await ApiAssert.StatusAsync(StatusCode.DeadlineExceeded, "COMMAND_TIMEOUT",
                () => harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "sleep 30" }, cancellationToken: Token).ResponseAsync);
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    private static async Task<string> StartedAsync(ServerHarness harness)
    {
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(await ApiAssert.CodebaseAsync(harness)), cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        return sandbox.Id;
    }

    /// <summary>Reads a stream to its end: the text of each stream, and the last message, which must carry the exit (and only it does).</summary>
    private static async Task<(string Stdout, string Stderr, ExecOutput Last)> ReadAllAsync(IAsyncStreamReader<ExecOutput> stream)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        ExecOutput? last = null;
        await foreach (var output in stream.ReadAllAsync(Token))
        {
            Assert.True(last is null || last.Exit is null, "a message came after the exit");
            if (output.Type == ExecOutput.Types.OutputType.Stderr)
                output.Data.WriteTo(stderr);
            else
                output.Data.WriteTo(stdout);
            last = output;
        }
        Assert.NotNull(last);
        Assert.NotNull(last.Exit);
        return (System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()), last);
    }
}
