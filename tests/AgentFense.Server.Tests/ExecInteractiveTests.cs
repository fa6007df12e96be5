using System.Text;
using AgentFense.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static AgentFense.Server.Tests.RunningSandbox;

namespace AgentFense.Server.Tests;

/// <summary>ExecInteractive against a real server with real boxes: stdin streamed as it comes, signals, the end.</summary>
public sealed class ExecInteractiveTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static ExecInput Start(string sandboxId, string command, TimeSpan? timeout = null) =>
        new() { Start = new ExecRequest { SandboxId = sandboxId, Command = command, Timeout = timeout is { } t ? Duration.FromTimeSpan(t) : null } };

    private static ExecInput Stdin(string text) => new() { Stdin = ByteString.CopyFromUtf8(text) };

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Cat_EchoesEachLine_BeforeStdinCloses_CloseStdinEndsIt()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            using var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token);
            await call.RequestStream.WriteAsync(Start(id, "cat; echo done >&2"), Token);
            foreach (var line in new[] { "one\n", "two\n", "three\n" })
            {
                await call.RequestStream.WriteAsync(Stdin(line), Token);
                Assert.Equal(line, await ReadTextAsync(call.ResponseStream, line.Length, ExecOutput.Types.OutputType.Stdout));
            }
            await call.RequestStream.WriteAsync(new ExecInput { CloseStdin = true }, Token);
            Assert.Equal("done\n", await ReadTextAsync(call.ResponseStream, 5, ExecOutput.Types.OutputType.Stderr));
            var exit = await ReadExitAsync(call.ResponseStream);
            Assert.Equal(0, exit.ExitCode);
            Assert.True(exit.Duration.ToTimeSpan() > TimeSpan.Zero);
            Assert.False(exit.StdoutTruncated || exit.StderrTruncated);
            Assert.False(await call.ResponseStream.MoveNext(Token));
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LargeStdin_FlowsThroughCat_ByteForByte_WhileOutputIsRead()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            // More than every window on the way (gRPC's, init's stdin and output credit), so both directions must flow at once.
            var input = new byte[8 * 1024 * 1024];
            new Random(5).NextBytes(input);
            using var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token);
            await call.RequestStream.WriteAsync(Start(id, "cat"), Token);
            var send = Task.Run(async () =>
            {
                for (var offset = 0; offset < input.Length; offset += 60 * 1024)
                    await call.RequestStream.WriteAsync(new ExecInput { Stdin = ByteString.CopyFrom(input, offset, Math.Min(60 * 1024, input.Length - offset)) }, Token);
                await call.RequestStream.CompleteAsync();
            }, Token);
            using var output = new MemoryStream();
            ExecExit? exit = null;
            while (await call.ResponseStream.MoveNext(Token))
            {
                if (call.ResponseStream.Current.Exit is { } end)
                    exit = end;
                else
                    call.ResponseStream.Current.Data.WriteTo(output);
            }
            await send;
            Assert.Equal(0, exit?.ExitCode);
            Assert.Equal(input.Length, output.Length);
            Assert.True(input.AsSpan().SequenceEqual(output.GetBuffer().AsSpan(0, (int)output.Length)), "the output differs from the input");
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task HeadN1_EndsEarly_HalfCloseClosesStdin_StartStdinGoesFirst_SignalEndsIt()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            using (var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token))
            {
                await call.RequestStream.WriteAsync(Start(id, "head -n1; exit 4"), Token);
                await call.RequestStream.WriteAsync(Stdin("first\nsecond\n"), Token);
                Assert.Equal("first\n", await ReadTextAsync(call.ResponseStream, 6, ExecOutput.Types.OutputType.Stdout));
                Assert.Equal(4, (await ReadExitAsync(call.ResponseStream)).ExitCode);
                Assert.False(await call.ResponseStream.MoveNext(Token));
            }

            using (var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token))
            {
                var start = Start(id, "wc -l");
                start.Start.StdinBytes = ByteString.CopyFromUtf8("a\nb\n");
                await call.RequestStream.WriteAsync(start, Token);
                await call.RequestStream.WriteAsync(Stdin("c\n"), Token);
                // No close_stdin: the half-close alone gives wc its end of file.
                await call.RequestStream.CompleteAsync();
                Assert.Equal("3", (await ReadTextAsync(call.ResponseStream, 2, ExecOutput.Types.OutputType.Stdout)).Trim());
                Assert.Equal(0, (await ReadExitAsync(call.ResponseStream)).ExitCode);
            }

            using (var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token))
            {
                await call.RequestStream.WriteAsync(Start(id, "echo ready; sleep 60"), Token);
                Assert.Equal("ready\n", await ReadTextAsync(call.ResponseStream, 6, ExecOutput.Types.OutputType.Stdout));
                await call.RequestStream.WriteAsync(new ExecInput { Signal = 15 }, Token);
                Assert.Equal(143, (await ReadExitAsync(call.ResponseStream)).ExitCode);
            }
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task CancellingTheCall_KillsTheCommand_TimeoutIsDeadlineExceeded()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            int pid;
            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token))
            {
                using var call = harness.Sandboxes.ExecInteractive(cancellationToken: cancel.Token);
                await call.RequestStream.WriteAsync(Start(id, "echo $$; exec sleep 60"), Token);
                pid = int.Parse(await ReadLineAsync(call.ResponseStream), System.Globalization.CultureInfo.InvariantCulture);
                await cancel.CancelAsync();
            }
            Assert.True(await ProcessGoneAsync(harness, id, pid), "the command of the cancelled call still runs in the box");

            using (var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token))
            {
                await call.RequestStream.WriteAsync(Start(id, "cat", TimeSpan.FromMilliseconds(300)), Token);
                await AssertErrorAsync(StatusCode.DeadlineExceeded, "COMMAND_TIMEOUT", () => ReadExitAsync(call.ResponseStream));
            }
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task BadInput_IsInvalidArgument_AndKillsTheCommand_NotRunningIsFailedPrecondition()
    {
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartAsync(harness);
        try
        {
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => CallAsync(harness, Stdin("x")));
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => CallAsync(harness, Start(id, "")));
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => CallAsync(harness));
            var badEnv = Start(id, "true");
            badEnv.Start.Env.Add("", "x");
            await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => CallAsync(harness, badEnv));

            foreach (var bad in new[] { Start(id, "cat"), new ExecInput { Signal = 0 }, new ExecInput { Signal = 65 }, new ExecInput() })
            {
                using var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token);
                await call.RequestStream.WriteAsync(Start(id, "echo $$; exec sleep 60"), Token);
                var pid = int.Parse(await ReadLineAsync(call.ResponseStream), System.Globalization.CultureInfo.InvariantCulture);
                await call.RequestStream.WriteAsync(bad, Token);
                await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => ReadExitAsync(call.ResponseStream));
                Assert.True(await ProcessGoneAsync(harness, id, pid), $"the command still runs after the bad message {bad}");
            }

            using (var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token))
            {
                // The command ignores stdin and keeps running, so the late data surely reaches a live call.
                await call.RequestStream.WriteAsync(Start(id, "exec sleep 60"), Token);
                await call.RequestStream.WriteAsync(new ExecInput { CloseStdin = true }, Token);
                await call.RequestStream.WriteAsync(Stdin("late"), Token);
                await AssertErrorAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => ReadExitAsync(call.ResponseStream));
            }

            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            await AssertErrorAsync(StatusCode.FailedPrecondition, "SANDBOX_NOT_RUNNING", () => CallAsync(harness, Start(id, "true")));
        }
        finally
        {
            await DestroyQuietlyAsync(harness, id);
        }
    }

    /// <summary>Sends <paramref name="inputs"/>, half-closes, and reads the call to its end.</summary>
    private static async Task CallAsync(ServerHarness harness, params ExecInput[] inputs)
    {
        using var call = harness.Sandboxes.ExecInteractive(cancellationToken: Token);
        foreach (var input in inputs)
            await call.RequestStream.WriteAsync(input, Token);
        await call.RequestStream.CompleteAsync();
        while (await call.ResponseStream.MoveNext(Token))
        {
        }
    }

    /// <summary>Reads output messages of <paramref name="type"/> until <paramref name="length"/> bytes came (within 10 s).</summary>
    private static async Task<string> ReadTextAsync(IAsyncStreamReader<ExecOutput> responses, int length, ExecOutput.Types.OutputType type)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        while (text.Length < length && await responses.MoveNext(timeout.Token))
        {
            Assert.Null(responses.Current.Exit);
            Assert.Equal(type, responses.Current.Type);
            text.Append(responses.Current.Data.ToStringUtf8());
        }
        return text.ToString();
    }

    private static async Task<string> ReadLineAsync(IAsyncStreamReader<ExecOutput> responses)
    {
        var text = new StringBuilder();
        while (!text.ToString().EndsWith('\n') && await responses.MoveNext(Token))
            text.Append(responses.Current.Data.ToStringUtf8());
        return text.ToString().Trim();
    }

    /// <summary>Skips output to the exit message, which must be the last.</summary>
    private static async Task<ExecExit> ReadExitAsync(IAsyncStreamReader<ExecOutput> responses)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (await responses.MoveNext(timeout.Token))
        {
            if (responses.Current.Exit is { } exit)
            {
                Assert.Equal(ExecOutput.Types.OutputType.Unspecified, responses.Current.Type);
                Assert.True(responses.Current.Data.IsEmpty);
                return exit;
            }
        }
        throw new InvalidOperationException("the stream ended without an exit message");
    }
}
