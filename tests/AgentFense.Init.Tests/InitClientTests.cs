using System.Text;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Init.Tests;

/// <summary>Commands through a real agentfense-init (the NativeAOT binary) started as a child process.</summary>
public sealed class InitClientTests : IClassFixture<InitFixture>
{
    private static readonly string[] s_path = ["PATH=/usr/local/bin:/usr/bin:/bin"];
    private readonly InitClient _client;

    public InitClientTests(InitFixture fixture)
    {
        _client = fixture.Client;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<ExecResult> Sh(string command, TimeSpan? timeout = null) =>
        _client.ExecAsync(new ExecOptions { Command = command, Environment = s_path, Timeout = timeout }, Ct);

    [Fact]
    public async Task ExecAsync_ShellCommand_ReturnsExitCodeAndSeparateStreams()
    {
        var result = await Sh("echo out; echo err >&2; exit 3");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.StdoutText);
        Assert.Equal("err\n", result.StderrText);
        Assert.Equal(ExitFlags.None, result.Exit.Flags);
        Assert.True(result.Exit.DurationMicros > 0);
    }

    [Fact]
    public async Task ExecAsync_Argv_FindsProgramInRequestPath()
    {
        var result = await _client.ExecAsync(new ExecOptions { Argv = ["printf", "%s|", "a b", "c"], Environment = s_path }, Ct);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a b|c|", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_ProgramMissing_ThrowsSpawnFailed()
    {
        var error = await Assert.ThrowsAsync<InitException>(() =>
            _client.ExecAsync(new ExecOptions { Argv = ["no-such-program-af"], Environment = s_path }, Ct));
        Assert.Equal(ErrorCode.SpawnFailed, error.Code);
        Assert.Equal(2, error.Errno);
    }

    [Fact]
    public async Task ExecAsync_KilledBySignal_ReportsSignal()
    {
        var result = await Sh("kill -TERM $$");
        Assert.Equal(15, result.Exit.Signal);
        Assert.Equal(-1, result.Exit.ExitCode);
        Assert.Equal(143, result.ExitCode);
    }

    [Fact]
    public async Task ExecAsync_StdinBytes_ReachTheCommand()
    {
        var result = await _client.ExecAsync(new ExecOptions { Command = "cat; echo", Environment = s_path, Stdin = "hello"u8.ToArray() }, Ct);
        Assert.Equal("hello\n", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_NoStdin_ReadsEndOfFile()
    {
        var result = await Sh("cat; echo done");
        Assert.Equal("done\n", result.StdoutText);
    }

    [Fact]
    public async Task StartAsync_StreamedStdin_IsPipedUntilClosed()
    {
        await using var command = await _client.StartAsync(new ExecOptions { Command = "wc -c", Environment = s_path, StreamStdin = true }, Ct);
        var collect = command.CollectAsync(Ct);
        var block = new byte[100_000];
        for (var i = 0; i < 30; i++)
            await command.WriteStdinAsync(block, Ct);
        await command.CloseStdinAsync();
        var result = await collect;
        Assert.Equal("3000000", result.StdoutText.Trim());
    }

    [Fact]
    public async Task ExecAsync_Environment_IsExactlyTheRequested()
    {
        Environment.SetEnvironmentVariable("AGENTFENSE_TEST_SECRET", "leaked");
        var result = await _client.ExecAsync(new ExecOptions { Argv = ["/usr/bin/env"], Environment = ["A=1", "B=two words"] }, Ct);
        Assert.Equal("A=1\nB=two words\n", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_InitLaunchedWithSecret_CommandDoesNotSeeIt()
    {
        await using var init = await InitProcess.StartAsync(new InitLaunchOptions { FileName = InitBinary.Path, Environment = ["SERVER_SECRET=1"] }, Ct);
        var result = await init.Client.ExecAsync(new ExecOptions { Command = "env", Environment = s_path }, Ct);
        Assert.DoesNotContain("SERVER_SECRET", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_WorkingDirectory_IsTheCommandsCwd()
    {
        using var dir = new TempDirectory();
        var result = await _client.ExecAsync(new ExecOptions { Command = "pwd", Environment = s_path, WorkingDirectory = dir.Path }, Ct);
        Assert.Equal(dir.Path + "\n", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_MissingWorkingDirectory_ThrowsBadWorkingDirectory()
    {
        var error = await Assert.ThrowsAsync<InitException>(() =>
            _client.ExecAsync(new ExecOptions { Command = "pwd", WorkingDirectory = "/no/such/dir/af" }, Ct));
        Assert.Equal(ErrorCode.BadWorkingDirectory, error.Code);
    }

    [Fact]
    public async Task ExecStreamAsync_InterleavedStreams_KeepEachStreamsOrder()
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        ExitStatus? exit = null;
        var script = "i=0; while [ $i -lt 2000 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done";
        await foreach (var chunk in _client.ExecStreamAsync(new ExecOptions { Command = script, Environment = s_path }, Ct))
        {
            if (chunk.IsExit)
                exit = chunk.Exit;
            else
                (chunk.Stream == OutputStream.Stdout ? stdout : stderr).Append(Encoding.UTF8.GetString(chunk.Data.Span));
        }
        Assert.Equal(0, exit?.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(0, 2000).Select(i => $"o{i}\n")), stdout.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 2000).Select(i => $"e{i}\n")), stderr.ToString());
    }

    [Fact]
    public async Task ExecAsync_OutputPastLimit_IsTruncatedAtTheLimit()
    {
        var result = await _client.ExecAsync(new ExecOptions { Command = "head -c 1000000 /dev/zero; echo tail >&2", Environment = s_path, OutputLimit = 1000 }, Ct);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1000, result.Stdout.Length);
        Assert.Equal("tail\n", result.StderrText);
        Assert.Equal(ExitFlags.StdoutTruncated, result.Exit.Flags);
    }

    [Fact]
    public async Task ExecAsync_SmallCreditWindow_DeliversEverything()
    {
        var options = new ExecOptions { Command = "head -c 20000000 /dev/zero", Environment = s_path, CreditWindow = 64 * 1024, OutputLimit = 64 << 20 };
        long total = 0;
        await foreach (var chunk in _client.ExecStreamAsync(options, Ct))
        {
            Assert.True(chunk.Data.Length <= 64 * 1024);
            total += chunk.Data.Length;
        }
        Assert.Equal(20_000_000, total);
    }

    [Fact]
    public async Task ExecAsync_Timeout_KillsCommandAndGrandchildren()
    {
        await using var command = await _client.StartAsync(new ExecOptions
        {
            Command = "sleep 100 & echo $!; sleep 100",
            Environment = s_path,
            Timeout = TimeSpan.FromMilliseconds(300),
        }, Ct);
        var result = await command.CollectAsync(Ct);
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.TimedOut));
        Assert.Equal(9, result.Exit.Signal);
        var grandchild = int.Parse(result.StdoutText.Trim());
        Assert.True(await ProcessProbe.WaitGoneAsync(grandchild, TimeSpan.FromSeconds(5)), $"grandchild {grandchild} survived");
        Assert.True(ProcessProbe.IsGone(command.Pid));
    }

    [Fact]
    public async Task ExecAsync_Cancelled_KillsTheGroupAndThrows()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var command = await _client.StartAsync(new ExecOptions { Command = "sleep 100", Environment = s_path }, Ct);
        cts.CancelAfter(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command.CollectAsync(cts.Token));
        Assert.True((await command.Exit).Flags.HasFlag(ExitFlags.Cancelled));
        Assert.True(await ProcessProbe.WaitGoneAsync(command.Pid, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StartAsync_Signal_ReachesTheCommand()
    {
        await using var command = await _client.StartAsync(new ExecOptions { Command = "trap 'echo got; exit 7' USR1; echo ready; while :; do sleep 0.05; done", Environment = s_path }, Ct);
        var output = new StringBuilder();
        ExitStatus? exit = null;
        await foreach (var chunk in command.ReadOutputAsync(Ct))
        {
            if (chunk.IsExit)
            {
                exit = chunk.Exit;
                break;
            }
            if (chunk.Stream != OutputStream.Stdout)
                continue; // the shell reports its sleep child killed by the same signal
            output.Append(Encoding.UTF8.GetString(chunk.Data.Span));
            if (output.ToString() == "ready\n")
                await command.SignalAsync(10);
        }
        Assert.Equal("ready\ngot\n", output.ToString());
        Assert.Equal(7, exit?.ExitCode);
    }

    [Fact]
    public async Task ExecAsync_Pty_RunsOnATerminalOfTheGivenSize()
    {
        var result = await _client.ExecAsync(new ExecOptions { Command = "tty; stty size", Environment = s_path, Pty = (100, 30) }, Ct);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^/dev/pts/\d+\r\n30 100\r\n$", result.StdoutText);
    }

    [Fact]
    public async Task ExecAsync_ManyConcurrentCommands_EachGetsItsOwnOutput()
    {
        var tasks = Enumerable.Range(0, 200)
            .Select(i => _client.ExecAsync(new ExecOptions { Argv = ["/bin/echo", $"n{i}"] }, Ct))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < results.Length; i++)
            Assert.Equal($"n{i}\n", results[i].StdoutText);
    }

    [Fact]
    public async Task ExecAsync_BackgroundChildKeepsPipesOpen_ReturnsAfterTheCommandExits()
    {
        var result = await Sh("sleep 3 & echo started", TimeSpan.FromSeconds(2));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("started\n", result.StdoutText);
        Assert.False(result.Exit.Flags.HasFlag(ExitFlags.TimedOut));
    }

    [Fact]
    public async Task ReadOutputAsync_ConsumerPauses_CommandBlocksOnItsPipe()
    {
        await using var command = await _client.StartAsync(new ExecOptions
        {
            Argv = ["/usr/bin/head", "-c", "10000000", "/dev/zero"],
            CreditWindow = 64 * 1024,
        }, Ct);
        long total = 0;
        await using var output = command.ReadOutputAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await output.MoveNextAsync());
        total += output.Current.Data.Length;
        // Unread, the 10 MB cannot fit in the credit window plus one pipe: head must still be writing.
        await Task.Delay(300, Ct);
        Assert.False(ProcessProbe.IsGone(command.Pid), "init read past the granted credit");
        while (await output.MoveNextAsync())
        {
            if (output.Current.Exit is { } exit)
            {
                Assert.Equal(0, exit.ExitCode);
                break;
            }
            total += output.Current.Data.Length;
        }
        Assert.Equal(10_000_000, total);
    }

    [Fact]
    public async Task StartAsync_PtyWithStreamedStdin_IsInteractive()
    {
        await using var command = await _client.StartAsync(new ExecOptions
        {
            Command = "read line; echo got $line; stty size",
            Environment = s_path,
            Pty = (80, 24),
            StreamStdin = true,
        }, Ct);
        await command.ResizeAsync(90, 33);
        await command.WriteStdinAsync("hi\n"u8.ToArray(), Ct);
        var result = await command.CollectAsync(Ct);
        Assert.Equal(0, result.ExitCode);
        // The terminal echoes the typed line (a PTY exec keeps echo, as a terminal does).
        Assert.Equal("hi\r\ngot hi\r\n33 90\r\n", result.StdoutText);
        Assert.Empty(result.Stderr);
    }
}
