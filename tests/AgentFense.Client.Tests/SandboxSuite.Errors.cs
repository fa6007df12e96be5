namespace AgentFense.Client.Tests;

public abstract partial class SandboxSuite<TMode>
{
    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Errors_FromRealFailures_AreTheirTypedExceptions()
    {
        RequireBoxes();
        var options = await Mode.OptionsAsync();

        var sandbox = await Assert.ThrowsAsync<SandboxNotFoundException>(() => Sandbox.ConnectAsync("sb_00000000deadbeef", options, Token));
        Assert.Equal("SANDBOX_NOT_FOUND", sandbox.Reason);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, sandbox.StatusCode);
        var codebase = await Assert.ThrowsAsync<CodebaseNotFoundException>(() => Sandbox.FromCodebaseAsync("cb_00000000deadbeef", options, cancellationToken: Token));
        Assert.Equal("CODEBASE_NOT_FOUND", codebase.Reason);

        using var project = new TestProject();
        var rule = await Assert.ThrowsAsync<InvalidConfigurationException>(() =>
            Sandbox.FromLocalAsync(project.Path, options: options with { Rules = [Rule.Read("")] }, cancellationToken: Token));
        Assert.Equal("INVALID_RULE", rule.Reason);
        var image = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            Sandbox.FromLocalAsync(project.Path, options: options with { Runtime = RuntimeKind.Bwrap, Image = "alpine:3" }, cancellationToken: Token));
        Assert.Contains("docker runtime", image.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<InvalidArgumentException>(() => Sandbox.FromLocalAsync(project["nope"], options: options, cancellationToken: Token));
        Assert.Equal("INVALID_PATH", missing.Reason);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Errors_BadCommandArguments_AreInvalidArgument_AndTheSandboxStaysUp()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var empty = await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.RunAsync("", cancellationToken: Token));
        Assert.Contains("command is empty", empty.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.ExecAsync("true", new CommandOptions { Timeout = TimeSpan.FromSeconds(-1) }, Token));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.RunAsync("true", env: new Dictionary<string, string> { ["A=B"] = "x" }, cancellationToken: Token));
        Assert.Equal("ok\n", (await sandbox.RunAsync("echo ok", cancellationToken: Token)).Stdout);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Processes_StartReadWaitSignalDelete()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        await using var worker = await sandbox.StartProcessAsync("echo started; sleep 0.3; echo warn >&2; exit 3", cancellationToken: Token);
        Assert.True(worker.Info.IsRunning || worker.Info.ExitCode is not null);
        var done = await worker.WaitAsync(cancellationToken: Token);
        Assert.False(done.IsRunning);
        Assert.Equal(3, done.ExitCode);
        var output = await worker.ReadOutputAsync(Token);
        Assert.Equal("started\n", System.Text.Encoding.UTF8.GetString(output.Stdout.Span));
        Assert.Equal("warn\n", System.Text.Encoding.UTF8.GetString(output.Stderr.Span));
        Assert.True(output.Eof);
        var again = await worker.ReadOutputAsync(Token);
        Assert.True(again.Stdout.IsEmpty && again.Eof);

        await using var sleeper = await sandbox.StartProcessAsync("echo tick; exec sleep 60", cancellationToken: Token);
        var waited = await sleeper.WaitAsync(TimeSpan.FromMilliseconds(300), Token);
        Assert.True(waited.IsRunning);
        Assert.Contains(await sandbox.ListProcessesAsync(Token), p => p.Id == sleeper.Id);
        await sleeper.SignalAsync(15, Token);
        var ended = await sleeper.WaitAsync(cancellationToken: Token);
        Assert.Equal(128 + 15, ended.ExitCode);
        var followed = new List<OutputChunk>();
        await foreach (var chunk in sleeper.FollowOutputAsync(cancellationToken: Token))
            followed.Add(chunk);
        Assert.Equal("tick\n", string.Concat(followed.Where(c => c.Stream == OutputStream.Stdout).Select(c => c.Text)));
        Assert.True(followed[^1].IsExit);

        await sleeper.DisposeAsync();
        var gone = await Assert.ThrowsAsync<ProcessNotFoundException>(() => sandbox.Backend.GetProcessAsync(sandbox.Id, sleeper.Id, Token));
        Assert.Equal("PROCESS_NOT_FOUND", gone.Reason);
    }
}
