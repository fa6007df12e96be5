using System.Text;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;

namespace AgentFense.Init.Tests;

/// <summary>Background processes: start, list, read kept output, signal, wait, release.</summary>
public sealed class BackgroundProcessTests : IClassFixture<InitFixture>
{
    private static readonly string[] s_path = ["PATH=/usr/local/bin:/usr/bin:/bin"];
    private readonly InitClient _client;

    public BackgroundProcessTests(InitFixture fixture)
    {
        _client = fixture.Client;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartBackgroundAsync_Lifecycle_ListSignalWaitReadRelease()
    {
        var process = await _client.StartBackgroundAsync(new ExecOptions { Command = "echo out; echo err >&2; exec sleep 100", Environment = s_path }, Ct);
        Assert.True(process.Pid > 0);

        var listed = Assert.Single(await _client.ListProcessesAsync(Ct), p => p.Id == process.Id);
        Assert.Equal((process.Pid, ProcessState.Running, "echo out; echo err >&2; exec sleep 100"), (listed.Pid, listed.State, listed.Command));

        Assert.Equal("out\n", await ReadAllAsync(process.Id, OutputStream.Stdout, "out\n"));
        Assert.Equal("err\n", await ReadAllAsync(process.Id, OutputStream.Stderr, "err\n"));

        var wait = _client.WaitProcessAsync(process.Id, Ct);
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);
        await _client.SignalAsync(process.Id, 15);
        var exit = await wait;
        Assert.Equal(15, exit.Signal);

        listed = Assert.Single(await _client.ListProcessesAsync(Ct), p => p.Id == process.Id);
        Assert.Equal(ProcessState.Exited, listed.State);
        Assert.Equal(15, listed.Exit.Signal);
        var data = await _client.ReadProcessOutputAsync(process.Id, OutputStream.Stdout, 0, 1024, Ct);
        Assert.True(data.Finished);
        Assert.Equal(4, data.Total);

        await _client.ReleaseProcessAsync(process.Id, Ct);
        Assert.DoesNotContain(await _client.ListProcessesAsync(Ct), p => p.Id == process.Id);
        var error = await Assert.ThrowsAsync<InitException>(() => _client.WaitProcessAsync(process.Id, Ct));
        Assert.Equal(ErrorCode.NotFound, error.Code);
    }

    [Fact]
    public async Task ReadProcessOutputAsync_Offsets_ReadInPieces()
    {
        var process = await _client.StartBackgroundAsync(new ExecOptions { Command = "printf 0123456789", Environment = s_path }, Ct);
        Assert.Equal(0, (await _client.WaitProcessAsync(process.Id, Ct)).ExitCode);
        var first = await _client.ReadProcessOutputAsync(process.Id, OutputStream.Stdout, 0, 4, Ct);
        var rest = await _client.ReadProcessOutputAsync(process.Id, OutputStream.Stdout, 4, 100, Ct);
        Assert.Equal("0123", Encoding.ASCII.GetString(first.Data));
        Assert.False(first.Finished);
        Assert.Equal("456789", Encoding.ASCII.GetString(rest.Data));
        Assert.True(rest.Finished);
        await _client.ReleaseProcessAsync(process.Id, Ct);
    }

    [Fact]
    public async Task StartBackgroundAsync_OutputPastLimit_KeepsTheLimit()
    {
        var process = await _client.StartBackgroundAsync(new ExecOptions { Command = "head -c 100000 /dev/zero", Environment = s_path, OutputLimit = 4096 }, Ct);
        var exit = await _client.WaitProcessAsync(process.Id, Ct);
        Assert.True(exit.Flags.HasFlag(ExitFlags.StdoutTruncated));
        var data = await _client.ReadProcessOutputAsync(process.Id, OutputStream.Stdout, 0, 1 << 20, Ct);
        Assert.Equal(4096, data.Data.Length);
        Assert.True(data.Truncated);
        await _client.ReleaseProcessAsync(process.Id, Ct);
    }

    [Fact]
    public async Task ReleaseProcessAsync_Running_KillsIt()
    {
        var process = await _client.StartBackgroundAsync(new ExecOptions { Command = "exec sleep 100", Environment = s_path }, Ct);
        await _client.ReleaseProcessAsync(process.Id, Ct);
        Assert.True(await ProcessProbe.WaitGoneAsync(process.Pid, TimeSpan.FromSeconds(5)));
    }

    private async Task<string> ReadAllAsync(uint id, OutputStream stream, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string text;
        do
        {
            var data = await _client.ReadProcessOutputAsync(id, stream, 0, 1024, Ct);
            text = Encoding.UTF8.GetString(data.Data);
            if (text == expected)
                break;
            await Task.Delay(10, Ct);
        }
        while (DateTime.UtcNow < deadline);
        return text;
    }
}
