using System.Text;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Init.Tests;

/// <summary>Persistent shells: state that carries over, separated results, busy handling, timeouts, PTY.</summary>
public sealed class InitSessionTests : IClassFixture<InitFixture>
{
    private static readonly string[] s_env = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root"];
    private readonly InitClient _client;

    public InitSessionTests(InitFixture fixture)
    {
        _client = fixture.Client;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Shells => new() { "/bin/sh", "/bin/bash" };

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task ExecAsync_CdExportFunction_PersistBetweenCommands(string shell)
    {
        using var dir = new TempDirectory();
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Shell = shell, Environment = s_env }, Ct);
        Assert.Equal(0, (await session.ExecAsync($"cd '{dir.Path}'", cancellationToken: Ct)).ExitCode);
        Assert.Equal(0, (await session.ExecAsync("export GREETING=hello; greet() { echo \"$GREETING $1\"; }", cancellationToken: Ct)).ExitCode);
        var result = await session.ExecAsync("pwd; greet world; sh -c 'echo child:$GREETING'", cancellationToken: Ct);
        Assert.Equal($"{dir.Path}\nhello world\nchild:hello\n", result.StdoutText);
        Assert.Equal(string.Empty, result.StderrText);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task ExecAsync_EachCommand_GetsItsOwnStreamsAndExitCode(string shell)
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Shell = shell, Environment = s_env }, Ct);
        var first = await session.ExecAsync("echo one; echo uno >&2; false", cancellationToken: Ct);
        var second = await session.ExecAsync("printf two; printf dos >&2; (exit 42)", cancellationToken: Ct);
        var third = await session.ExecAsync("if then", cancellationToken: Ct);
        var fourth = await session.ExecAsync("echo 'it'\"'\"'s quoted'", cancellationToken: Ct);
        Assert.Equal(("one\n", "uno\n", 1), (first.StdoutText, first.StderrText, first.ExitCode));
        Assert.Equal(("two", "dos", 42), (second.StdoutText, second.StderrText, second.ExitCode));
        Assert.Equal(2, third.ExitCode);
        Assert.NotEmpty(third.StderrText);
        Assert.Equal(("it's quoted\n", 0), (fourth.StdoutText, fourth.ExitCode));
    }

    [Fact]
    public async Task ExecAsync_CommandReadingStdin_GetsEndOfFileNotTheNextCommand()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        var read = await session.ExecAsync("cat; echo after", cancellationToken: Ct);
        Assert.Equal("after\n", read.StdoutText);
        Assert.Equal("still\n", (await session.ExecAsync("echo still", cancellationToken: Ct)).StdoutText);
    }

    [Fact]
    public async Task StartAsync_BusyAndNotWaiting_IsRefused()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        await using var running = await session.StartAsync("sleep 0.3; echo first", cancellationToken: Ct);
        var collect = running.CollectAsync(Ct);
        await Task.Delay(50, Ct);
        await using var refused = await session.StartAsync("echo second", new SessionExecOptions { WaitIfBusy = false }, Ct);
        var error = await Assert.ThrowsAsync<InitException>(() => refused.CollectAsync(Ct));
        Assert.Equal(ErrorCode.SessionBusy, error.Code);
        Assert.Equal(ErrorCode.SessionBusy, (await Assert.ThrowsAsync<InitException>(() => refused.Exit)).Code);
        Assert.Equal("first\n", (await collect).StdoutText);
    }

    [Fact]
    public async Task StartAsync_BusyAndWaiting_RunsInTurn()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        var first = session.ExecAsync("sleep 0.2; X=1; echo first", cancellationToken: Ct);
        var second = session.ExecAsync("echo second $X", new SessionExecOptions { WaitIfBusy = true }, Ct);
        Assert.Equal("first\n", (await first).StdoutText);
        Assert.Equal("second 1\n", (await second).StdoutText);
    }

    [Fact]
    public async Task ExecAsync_Timeout_KillsTheCommandAndKeepsTheShell()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        await session.ExecAsync("cd /tmp; Y=kept", cancellationToken: Ct);
        var result = await session.ExecAsync("sleep 100 & echo $!; sleep 100", new SessionExecOptions { Timeout = TimeSpan.FromMilliseconds(300) }, Ct);
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.TimedOut));
        Assert.False(result.Exit.Flags.HasFlag(ExitFlags.SessionEnded));
        Assert.Equal(137, result.ExitCode);
        var background = int.Parse(result.StdoutText.Trim());
        Assert.True(await ProcessProbe.WaitGoneAsync(background, TimeSpan.FromSeconds(5)));
        Assert.Equal("/tmp kept\n", (await session.ExecAsync("echo $(pwd) $Y", cancellationToken: Ct)).StdoutText);
    }

    [Fact]
    public async Task ExecAsync_ShellBusyInBuiltinLoop_TimeoutEndsTheSession()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        var result = await session.ExecAsync("while :; do :; done", new SessionExecOptions { Timeout = TimeSpan.FromMilliseconds(200) }, Ct);
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.TimedOut));
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.SessionEnded));
        var error = await Assert.ThrowsAsync<InitException>(() => session.ExecAsync("echo hi", cancellationToken: Ct));
        Assert.Equal(ErrorCode.SessionClosed, error.Code);
        Assert.True(await ProcessProbe.WaitGoneAsync(session.Pid, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ExecAsync_Exit_EndsTheSessionWithItsCode()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        var result = await session.ExecAsync("echo bye; exit 5", cancellationToken: Ct);
        Assert.Equal(("bye\n", 5), (result.StdoutText, result.ExitCode));
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.SessionEnded));
    }

    [Fact]
    public async Task CloseAsync_RunningCommand_EndsItAndTheShell()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        await using var running = await session.StartAsync("sleep 100", cancellationToken: Ct);
        var collect = running.CollectAsync(Ct);
        await Task.Delay(50, Ct);
        await session.CloseAsync(Ct);
        var result = await collect;
        Assert.True(result.Exit.Flags.HasFlag(ExitFlags.SessionEnded));
        Assert.True(await ProcessProbe.WaitGoneAsync(session.Pid, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ExecAsync_ManyCommands_NoMarkerLeaksIntoOutput()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        for (var i = 0; i < 50; i++)
        {
            var result = await session.ExecAsync($"seq 1 {i * 50}", cancellationToken: Ct);
            Assert.Equal(string.Concat(Enumerable.Range(1, i * 50).Select(n => $"{n}\n")), result.StdoutText);
        }
    }

    [Fact]
    public async Task ExecAsync_PtySession_KeepsStateWithoutEcho()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env, Pty = (120, 40) }, Ct);
        await session.ExecAsync("cd /tmp; Z=pty", cancellationToken: Ct);
        var result = await session.ExecAsync("echo $(pwd) $Z; stty size; test -t 0 && echo tty", cancellationToken: Ct);
        Assert.Equal("/tmp pty\r\n40 120\r\ntty\r\n", result.StdoutText);
        await session.ResizeAsync(80, 20);
        var resized = await session.ExecAsync("stty size", cancellationToken: Ct);
        Assert.Equal("20 80\r\n", resized.StdoutText);
    }

    [Fact]
    public async Task StartAsync_Cancel_KillsTheCommandAndKeepsTheShell()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var running = await session.StartAsync("sleep 100", cancellationToken: Ct);
        cts.CancelAfter(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.CollectAsync(cts.Token));
        Assert.True((await running.Exit).Flags.HasFlag(ExitFlags.Cancelled));
        Assert.Equal("alive\n", (await session.ExecAsync("echo alive", cancellationToken: Ct)).StdoutText);
    }

    [Fact]
    public async Task ExecAsync_OutputLookingLikeAMarker_PassesThrough()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions { Environment = s_env }, Ct);
        var result = await session.ExecAsync("printf '\\037AF'; printf 'x\\036'; printf '\\037AF' >&2", cancellationToken: Ct);
        Assert.Equal("\u001fAFx\u001e", result.StdoutText);
        Assert.Equal("\u001fAF", result.StderrText);
        Assert.Equal(0, result.ExitCode);
    }
}
