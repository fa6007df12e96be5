using System.Text;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Tests;

/// <summary>Sessions, background processes, streamed stdin and timeouts inside real boxes of each runtime: the same init, so the same behaviour.</summary>
[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class BoxCommandsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Session_StateCarriesOverBetweenCommands(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        await using var session = await box.Client.CreateSessionAsync(new SessionOptions
        {
            Shell = "/bin/bash",
            Environment = box.Environment,
            WorkingDirectory = box.Spec.WorkspacePath,
        }, Token);
        Assert.Equal(0, (await session.ExecAsync("mkdir -p sub && cd sub && export GREETING=hello", cancellationToken: Token)).ExitCode);
        var result = await session.ExecAsync("pwd; echo $GREETING; false", cancellationToken: Token);
        Assert.Equal("/workspace/sub\nhello\n", result.StdoutText);
        Assert.Equal(1, result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Background_ListedWaitedAndOutputKept(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var process = await box.Client.StartBackgroundAsync(box.WithDefaults(new ExecOptions { Command = "echo started; sleep 0.3; echo done; exit 7" }), Token);
        Assert.Contains(await box.Client.ListProcessesAsync(Token), p => p.Id == process.Id);
        var exit = await box.Client.WaitProcessAsync(process.Id, Token);
        Assert.Equal(7, exit.ExitCode);
        var output = await box.Client.ReadProcessOutputAsync(process.Id, OutputStream.Stdout, cancellationToken: Token);
        Assert.Equal("started\ndone\n", Encoding.UTF8.GetString(output.Data));
        await box.Client.ReleaseProcessAsync(process.Id, Token);
        Assert.DoesNotContain(await box.Client.ListProcessesAsync(Token), p => p.Id == process.Id);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task StreamedStdin_EchoedBackThenTimeoutKillsTheGroup(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        await using (var cat = await box.Client.StartAsync(box.WithDefaults(new ExecOptions { Command = "tr a-z A-Z", StreamStdin = true }), Token))
        {
            await cat.WriteStdinAsync(Encoding.UTF8.GetBytes("hello "), Token);
            await cat.WriteStdinAsync(Encoding.UTF8.GetBytes("box\n"), Token);
            await cat.CloseStdinAsync();
            var result = await cat.CollectAsync(Token);
            Assert.Equal("HELLO BOX\n", result.StdoutText);
        }
        var slow = await BoxFixture.RunAsync(box, "sleep 30 & sleep 30; echo never", TimeSpan.FromMilliseconds(500));
        Assert.True(slow.Exit.Flags.HasFlag(ExitFlags.TimedOut), $"not timed out: {slow.Exit}");
        Assert.DoesNotContain("never", slow.StdoutText, StringComparison.Ordinal);
        // The timeout killed the whole process group: no sleep is left alive in the box. A killed sleep can stay a
        // zombie until init reaps it, and the kill lands a moment after the exit is reported, so zombies do not count
        // and the check is given a second.
        var alive = "";
        for (var attempt = 0; attempt < 10 && alive != "0\n"; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(100, Token);
            alive = (await BoxFixture.RunAsync(box, "ps -e -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == \"sleep\"' | wc -l")).StdoutText;
        }
        Assert.Equal("0\n", alive);
    }
}
