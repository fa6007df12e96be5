using System.Collections.Concurrent;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Diagnostics;
using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Tests;

/// <summary>
/// Every command a box runs is reported once by its init client (what the audit trail and the exec metrics are built
/// on), and the box's counters are read through cached cgroup handles.
/// </summary>
[Trait("Requires", "Bwrap")]
public sealed class CommandRecordTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommandEnded_OncePerExecStreamSessionAndFailure()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var records = new ConcurrentQueue<CommandRecord>();
        box.Client.CommandEnded += records.Enqueue;

        Assert.Equal(3, (await box.Client.ExecAsync(box.WithDefaults(new ExecOptions { Command = "exit 3" }), Token)).ExitCode);
        await foreach (var _ in box.Client.ExecStreamAsync(box.WithDefaults(new ExecOptions { Argv = ["/bin/echo", "streamed"] }), Token))
        {
        }
        var timedOut = await box.Client.ExecAsync(box.WithDefaults(new ExecOptions { Command = "sleep 5", Timeout = TimeSpan.FromMilliseconds(100) }), Token);
        Assert.NotEqual(ExitFlags.None, timedOut.Exit.Flags & ExitFlags.TimedOut);
        await Assert.ThrowsAsync<InitException>(() => box.Client.ExecAsync(new ExecOptions { Argv = ["/bin/true"], WorkingDirectory = "/no/such/dir" }, Token));
        await using (var session = await box.Client.CreateSessionAsync(new SessionOptions { Shell = "/bin/sh", Environment = box.Environment }, Token))
            Assert.Equal(0, (await session.ExecAsync("cd /tmp", cancellationToken: Token)).ExitCode);

        for (var i = 0; i < 50 && records.Count < 5; i++)
            await Task.Delay(20, Token);
        var all = records.ToArray();
        Assert.Equal(5, all.Length);
        Assert.Equal(("exit 3", 0u, 3), (all[0].Command, all[0].SessionId, all[0].Exit!.Value.ShellExitCode));
        Assert.Equal("/bin/echo streamed", all[1].Command);
        Assert.NotEqual(ExitFlags.None, all[2].Exit!.Value.Flags & ExitFlags.TimedOut);
        Assert.True(all[2].Duration >= TimeSpan.FromMilliseconds(100));
        Assert.Null(all[3].Exit);
        Assert.False(string.IsNullOrEmpty(all[3].Error));
        Assert.Equal("cd /tmp", all[4].Command);
        Assert.NotEqual(0u, all[4].SessionId);
        Assert.All(all, r => Assert.True(r.Started > DateTimeOffset.UtcNow.AddMinutes(-1)));
    }

    [Fact]
    public async Task CommandEnded_BackgroundProcess_ReportedWhenItsExitIsFirstWaitedFor()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var records = new ConcurrentQueue<CommandRecord>();
        box.Client.CommandEnded += records.Enqueue;
        var process = await box.Client.StartBackgroundAsync(box.WithDefaults(new ExecOptions { Command = "sleep 0.1; exit 4" }), Token);
        Assert.Empty(records);
        Assert.Equal(4, (await box.Client.WaitProcessAsync(process.Id, Token)).ShellExitCode);
        Assert.Equal(4, (await box.Client.WaitProcessAsync(process.Id, Token)).ShellExitCode);
        var record = Assert.Single(records);
        Assert.Equal(("sleep 0.1; exit 4", 4), (record.Command, record.Exit!.Value.ShellExitCode));
        Assert.True(record.Duration >= TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task BoxStatsReader_ReadsMemoryAndProcesses_ThenNothingOnceStopped()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        using var reader = new BoxStatsReader(box);
        var stats = reader.Read();
        Assert.True(stats.MemoryBytes > 0);
        Assert.True(stats.Processes >= 1);
        Assert.NotNull(stats.CpuSeconds);
        // CPU burnt by a command that has ended still counts (v1: in its reaper's cutime).
        await BoxFixture.RunAsync(box, "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
        Assert.True(reader.Read().CpuSeconds >= stats.CpuSeconds + 0.1, $"{stats.CpuSeconds} -> {reader.Read().CpuSeconds}");
        // Read again through the same handles: values are current, not cached.
        var sleeping = await box.Client.StartBackgroundAsync(box.WithDefaults(new ExecOptions { Command = "sleep 30" }), Token);
        Assert.True(reader.Read().Processes > stats.Processes);
        Assert.True(sleeping.Pid > 0);
        await box.StopAsync(Token);
        var gone = reader.Read();
        Assert.True(gone.Processes is null or 0);
    }
}
