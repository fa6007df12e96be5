using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Init.Tests;

/// <summary>Launching init, and init's end when the engine goes away.</summary>
public sealed class InitProcessTests
{
    private static readonly string[] s_path = ["PATH=/usr/local/bin:/usr/bin:/bin"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void InitBinary_Published_IsANativeExecutable()
    {
        var header = new byte[4];
        using (var file = File.OpenRead(InitBinary.Path))
            file.ReadExactly(header);
        Assert.Equal("\u007fELF"u8.ToArray(), header);
        Assert.False(File.Exists(Path.ChangeExtension(InitBinary.Path, ".dll")), "a NativeAOT publish ships no managed dll");
        Assert.True(new FileInfo(InitBinary.Path).Length < 8 * 1024 * 1024);
    }

    [Fact]
    public async Task StartAsync_Init_SaysHelloWithItsPid()
    {
        await using var init = await InitProcess.StartAsync(new InitLaunchOptions { FileName = InitBinary.Path }, Ct);
        var hello = await init.Client.Ready;
        Assert.Equal(init.Pid, hello.Pid);
        Assert.Equal(AgentFense.Init.Protocol.InitProtocol.Version, hello.Version);
    }

    [Fact]
    public async Task DisposeAsync_SocketClosed_InitKillsEverythingAndExits()
    {
        var init = await InitProcess.StartAsync(new InitLaunchOptions { FileName = InitBinary.Path }, Ct);
        var background = await init.Client.StartBackgroundAsync(new ExecOptions { Command = "exec sleep 100", Environment = s_path }, Ct);
        var running = await init.Client.StartAsync(new ExecOptions { Command = "sleep 100 & echo $!; exec sleep 100", Environment = s_path }, Ct);
        int orphan = 0;
        await foreach (var chunk in running.ReadOutputAsync(Ct))
        {
            orphan = int.Parse(System.Text.Encoding.ASCII.GetString(chunk.Data.Span).Trim());
            break;
        }
        var session = await init.Client.CreateSessionAsync(new SessionOptions { Environment = s_path }, Ct);
        int[] pids = [background.Pid, running.Pid, orphan, session.Pid];

        await init.Client.DisposeAsync();
        var exit = init.WaitForExitAsync();
        Assert.Same(exit, await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
        Assert.Equal(0, await exit);
        foreach (var pid in pids)
            Assert.True(await ProcessProbe.WaitGoneAsync(pid, TimeSpan.FromSeconds(2)), $"pid {pid} outlived init");
        Assert.Empty(ProcessProbe.ChildrenOf(init.Pid));
    }

    [Fact]
    public async Task ExecAsync_CommandsOrphans_AreReapedByInit()
    {
        await using var init = await InitProcess.StartAsync(new InitLaunchOptions { FileName = InitBinary.Path }, Ct);
        // The shell exits at once; its child becomes init's (a subreaper) and must not stay a zombie.
        var result = await init.Client.ExecAsync(new ExecOptions { Command = "sh -c 'sleep 0.1' >/dev/null 2>&1 & echo $!", Environment = s_path }, Ct);
        var orphan = int.Parse(result.StdoutText.Trim());
        Assert.True(await ProcessProbe.WaitGoneAsync(orphan, TimeSpan.FromSeconds(5)), $"orphan {orphan} was not reaped");
    }

    [Fact]
    [Trait("Requires", "Root")]
    public async Task StartAsync_AsPid1OfAPidNamespace_RunsReapsAndEnds()
    {
        Requires.Root();
        Requires.Program("unshare");
        var init = await InitProcess.StartAsync(new InitLaunchOptions
        {
            FileName = Requires.Which("unshare")!,
            Arguments = ["--pid", "--fork", "--mount-proc", InitBinary.Path],
        }, Ct);
        await using (init)
        {
            Assert.Equal(1, (await init.Client.Ready).Pid);
            var result = await init.Client.ExecAsync(new ExecOptions
            {
                Command = "sleep 100 & echo $$ $!; exec sleep 100",
                Environment = s_path,
                Timeout = TimeSpan.FromMilliseconds(200),
            }, Ct);
            Assert.True(result.Exit.Flags.HasFlag(AgentFense.Init.Protocol.ExitFlags.TimedOut));
            // The killed shell and its orphaned child are gone from the namespace's own /proc (reaped by pid 1).
            var pids = result.StdoutText.Trim().Split(' ');
            var probe = $"sleep 0.2; for p in {pids[0]} {pids[1]}; do test -e /proc/$p && echo alive $p; done; true";
            var alive = await init.Client.ExecAsync(new ExecOptions { Command = probe, Environment = s_path }, Ct);
            Assert.Equal(string.Empty, alive.StdoutText);
        }
        Assert.Equal(0, await init.WaitForExitAsync());
    }
}
