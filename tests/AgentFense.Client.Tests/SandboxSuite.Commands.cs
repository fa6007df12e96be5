using System.Diagnostics;
using System.Text;

namespace AgentFense.Client.Tests;

public abstract partial class SandboxSuite<TMode>
{
    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Exec_StdinEnvWorkdir_AndAnyExitCodeIsAResult()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var result = await sandbox.ExecAsync("cat; echo \"$GREETING\"; pwd; echo oops >&2; exit 7", new CommandOptions
        {
            Stdin = "from stdin\n",
            Env = new Dictionary<string, string> { ["GREETING"] = "hi there" },
            WorkingDirectory = "src",
        }, Token);
        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("from stdin\nhi there\n/workspace/src\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.Equal(Encoding.UTF8.GetBytes(result.Stdout), result.StdoutBytes.ToArray());
        Assert.True(result.Duration > TimeSpan.Zero);

        var binary = await sandbox.ExecAsync("od -An -tx1", new CommandOptions { StdinBytes = new byte[] { 0, 0xff, 0x10 } }, Token);
        Assert.Equal("00 ff 10", binary.Stdout.Trim());
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Run_RaiseOnError_ThrowsCommandFailed_WithExitCodeAndOutput()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        Assert.Equal("ok\n", (await sandbox.RunAsync("echo ok", raiseOnError: true, cancellationToken: Token)).Stdout);
        var e = await Assert.ThrowsAsync<CommandFailedException>(() => sandbox.RunAsync("echo out; echo err >&2; exit 3", raiseOnError: true, cancellationToken: Token));
        Assert.Equal(3, e.ExitCode);
        Assert.Equal("out\n", e.Stdout);
        Assert.Equal("err\n", e.Stderr);
        Assert.Contains("exited with code 3", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AgentFenseException>(e);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Run_PastItsTimeout_ThrowsCommandTimeout_AndTheSandboxStaysUsable()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CommandTimeoutException>(() => sandbox.RunAsync("sleep 30", timeout: TimeSpan.FromMilliseconds(500), cancellationToken: Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal("COMMAND_TIMEOUT", e.Reason);
        Assert.Equal(Grpc.Core.StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal("alive\n", (await sandbox.RunAsync("echo alive", cancellationToken: Token)).Stdout);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Run_Cancelled_ThrowsOperationCanceled_AndKillsTheCommand()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.RunAsync("sleep 7; echo late > /tmp/late", cancellationToken: cancel.Token));

        // The killed command never got to write.
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        var check = await sandbox.RunAsync("ps -eo args | grep -c '[s]leep 7' || true; test -e /tmp/late && echo late || echo none", cancellationToken: Token);
        Assert.Equal("0\nnone\n", check.Stdout);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ExecStream_YieldsOutputAsItComes_ThenTheExit()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var chunks = new List<OutputChunk>();
        await foreach (var chunk in sandbox.ExecStreamAsync("echo one; echo two >&2; sleep 0.2; echo three; exit 4", cancellationToken: Token))
            chunks.Add(chunk);
        Assert.Equal("one\nthree\n", string.Concat(chunks.Where(c => c.Stream == OutputStream.Stdout).Select(c => c.Text)));
        Assert.Equal("two\n", string.Concat(chunks.Where(c => c.Stream == OutputStream.Stderr).Select(c => c.Text)));
        Assert.True(chunks[^1].IsExit, "the last item carries the exit");
        Assert.Equal(4, chunks[^1].Exit!.ExitCode);

        // Past its timeout the stream ends with the timeout error.
        await Assert.ThrowsAsync<CommandTimeoutException>(async () =>
        {
            await foreach (var _ in sandbox.ExecStreamAsync("echo start; sleep 30", new CommandOptions { Timeout = TimeSpan.FromMilliseconds(500) }, Token))
            {
            }
        });
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ExecStream_StoppingEarly_KillsTheCommand()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        await foreach (var chunk in sandbox.ExecStreamAsync("echo first; sleep 6; echo late > /tmp/late", cancellationToken: Token))
            break;
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        var check = await sandbox.RunAsync("ps -eo args | grep -c '[s]leep 6' || true", cancellationToken: Token);
        Assert.Equal("0\n", check.Stdout);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StartCommand_StdinWrittenWhileOutputIsRead_SignalEndsIt()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        await using (var repl = await sandbox.StartCommandAsync("while read line; do echo \"got $line\"; done; exit 5", new CommandOptions { Stdin = "zero\n" }, Token))
        {
            await repl.WriteStdinAsync("one\n"u8.ToArray());
            var output = new StringBuilder();
            CommandExit? exit = null;
            await foreach (var chunk in repl.ReadOutputAsync(Token))
            {
                output.Append(chunk.Text);
                exit ??= chunk.Exit;
                // Answer only after the first line came back: a real conversation with the command.
                if (output.ToString() == "got zero\ngot one\n")
                {
                    await repl.WriteStdinAsync("two\n"u8.ToArray());
                    await repl.CloseStdinAsync();
                }
            }
            Assert.Equal("got zero\ngot one\ngot two\n", output.ToString());
            Assert.Equal(5, exit?.ExitCode);
        }

        await using var sleeper = await sandbox.StartCommandAsync("echo ready; exec sleep 30", cancellationToken: Token);
        var exits = new List<CommandExit>();
        await foreach (var chunk in sleeper.ReadOutputAsync(Token))
        {
            if (chunk.Text == "ready\n")
                await sleeper.SignalAsync(15);
            if (chunk.Exit is { } e)
                exits.Add(e);
        }
        Assert.Equal(128 + 15, Assert.Single(exits).ExitCode);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Session_KeepsDirectoryAndVariables_ClosedSessionThrows()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var session = await sandbox.SessionAsync(env: new Dictionary<string, string> { ["START"] = "s" }, cancellationToken: Token);
        Assert.StartsWith("sess_", session.Id, StringComparison.Ordinal);
        await session.ExecAsync("cd src && export COLOR=blue", cancellationToken: Token);
        var result = await session.ExecAsync("pwd; echo $COLOR $START", cancellationToken: Token);
        Assert.Equal("/workspace/src\nblue s\n", result.Stdout);
        var streamed = new StringBuilder();
        await foreach (var chunk in session.ExecStreamAsync("ls", cancellationToken: Token))
            streamed.Append(chunk.Text);
        Assert.Contains("app.py", streamed.ToString(), StringComparison.Ordinal);
        Assert.Contains(await sandbox.Backend.ListSessionsAsync(sandbox.Id, Token), s => s.Id == session.Id);
        await Assert.ThrowsAsync<CommandTimeoutException>(() => session.ExecAsync("sleep 30", TimeSpan.FromMilliseconds(300), Token));

        await session.DisposeAsync();
        await Assert.ThrowsAsync<SessionClosedException>(() => session.ExecAsync("pwd", cancellationToken: Token));
        // The backend no longer knows it either.
        await Assert.ThrowsAsync<SessionNotFoundException>(() => sandbox.Backend.SessionExecAsync(session.Id, "pwd", null, Token));

        // A session whose shell exits is closed.
        var exiting = await sandbox.SessionAsync(cancellationToken: Token);
        await Assert.ThrowsAsync<SessionClosedException>(() => exiting.ExecAsync("exit 0", cancellationToken: Token));
        await Assert.ThrowsAsync<SessionClosedException>(() => sandbox.Backend.SessionExecAsync(exiting.Id, "pwd", null, Token));
    }
}
