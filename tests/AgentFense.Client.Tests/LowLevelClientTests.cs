using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using WireStatus = AgentFense.Api.V1.SandboxStatus;

namespace AgentFense.Client.Tests;

/// <summary>The low-level client's calls the high-level tests do not reach, against the real server.</summary>
public sealed class LowLevelClientTests(RemoteMode mode) : IClassFixture<RemoteMode>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LowLevel_SandboxSessionProcessAndDeltaCalls()
    {
        Requires.Fuse();
        Requires.Bwrap();
        await mode.OptionsAsync();
        using var client = mode.NewClient();
        var codebase = await client.CreateCodebaseAsync("low", cancellationToken: Token);
        await client.UploadTreeAsync(codebase.Id, [UploadItem.FromBytes("a.txt", "a\n"u8.ToArray())], cancellationToken: Token);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Api.V1.Permission.Write });
        var created = await client.CreateSandboxAsync(request, Token);
        var started = await client.BatchStartSandboxesAsync([created.Id], Token);
        Assert.Null(SandboxClient.ErrorOf(started.Results[0]));
        var id = created.Id;
        try
        {
            Assert.Contains((await client.ListSandboxesAsync(codebase.Id, status: WireStatus.Running, cancellationToken: Token)).Sandboxes, s => s.Id == id);
            Assert.DoesNotContain((await client.ListSandboxesAsync(codebase.Id, status: WireStatus.Stopped, cancellationToken: Token)).Sandboxes, s => s.Id == id);

            var session = await client.CreateSessionAsync(id, cancellationToken: Token);
            Assert.Equal(SessionStatus.Active, (await client.GetSessionAsync(session.Id, Token)).Status);
            Assert.Single((await client.ListSessionsAsync(id, Token)).Sessions);
            Assert.Equal("a\n", (await client.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "cat a.txt" }, Token)).Stdout);
            await client.DestroySessionAsync(session.Id, Token);
            await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id, Token));

            var process = await client.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "echo bg; exec sleep 30" }, Token);
            Assert.Equal(SandboxProcessStatus.Running, (await client.GetProcessAsync(id, process.Id, Token)).Status);
            Assert.Single((await client.ListProcessesAsync(id, Token)).Processes);
            Assert.Equal(SandboxProcessStatus.Running, (await client.WaitProcessAsync(id, process.Id, TimeSpan.FromMilliseconds(200), Token)).Status);
            await client.SignalProcessAsync(id, process.Id, 9, Token);
            Assert.Equal(128 + 9, (await client.WaitProcessAsync(id, process.Id, cancellationToken: Token)).ExitCode);
            var output = await client.ReadProcessOutputAsync(id, process.Id, cancellationToken: Token);
            Assert.Equal("bg\n", output.Stdout.ToStringUtf8());
            Assert.True(output.Eof);
            await client.DeleteProcessAsync(id, process.Id, Token);
            await Assert.ThrowsAsync<ProcessNotFoundException>(() => client.GetProcessAsync(id, process.Id, Token));

            await client.WriteSandboxFileAsync(id, "b.txt", "b"u8.ToArray(), Token);
            Assert.Equal(1, (await client.StatSandboxFileAsync(id, "b.txt", Token)).Size);
            Assert.Contains((await client.GetSandboxChangesAsync(id, Token)).Changes, c => c.Path == "b.txt");
            using var tar = new MemoryStream();
            Assert.True(await client.ExportSandboxChangesAsync(id, tar, Token) > 0);
            await client.UpdateSandboxRulesAsync(id, [new PermissionRule { Pattern = "b.txt", Permission = Api.V1.Permission.View, Type = Api.V1.PatternType.File, Priority = 5 }, new PermissionRule { Pattern = "**", Permission = Api.V1.Permission.Write }], Token);
            await Assert.ThrowsAsync<PermissionDeniedException>(() => client.ReadSandboxFileAsync(id, "b.txt", Token));
            Assert.NotEmpty((await client.GetSandboxAuditAsync(id, 0, Token)).Entries);
            await client.DiscardSandboxChangesAsync(id, Token);
            Assert.Empty((await client.GetSandboxChangesAsync(id, Token)).Changes);
            Assert.Equal(WireStatus.Stopped, (await client.StopSandboxAsync(id, Token)).Status);
            Assert.Equal(WireStatus.Running, (await client.StartSandboxAsync(id, Token)).Status);
        }
        finally
        {
            await client.DestroySandboxAsync(id, Token);
            await client.DeleteCodebaseAsync(codebase.Id, Token);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LowLevel_DeadlinePassed_IsRequestTimeout_CancelledIsOperationCanceled()
    {
        using var project = new TestProject();
        var options = await ServerOptionsAsync();
        await using var sandbox = await Sandbox.FromLocalAsync(project.Path, options: options, cancellationToken: Token);
        using var client = mode.NewClient(new SandboxClientOptions { Deadline = TimeSpan.FromMilliseconds(300) });

        var e = await Assert.ThrowsAsync<RequestTimeoutException>(() => client.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "sleep 3" }, Token));
        Assert.Null(e.Reason);
        // The command's own timeout extends the deadline: a command within it completes.
        var ok = await client.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "sleep 0.5; echo done", Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) }, Token);
        Assert.Equal("done\n", ok.Stdout);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.ExecStreamAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "sleep 5" }, cancel.Token))
            {
            }
        });

        var tarPath = Path.Combine(project.Path, "..", $"export-{Guid.NewGuid():N}.tar");
        try
        {
            await sandbox.WriteFileAsync("output/e.txt", "e", Token);
            await sandbox.ExportAsync(tarPath, Token);
            Assert.Contains("output/e.txt", Encoding.ASCII.GetString(await File.ReadAllBytesAsync(tarPath, Token)), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tarPath);
        }
    }

    private async Task<SandboxOptions> ServerOptionsAsync()
    {
        Requires.Fuse();
        Requires.Bwrap();
        return await mode.OptionsAsync();
    }
}
