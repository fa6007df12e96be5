using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AgentFense.Api.V1;
using AgentFense.TestSupport;

namespace AgentFense.Server.Tests;

/// <summary><c>agentfense audit SANDBOX</c> run as a process against a real server: the trail, JSON lines, --follow, errors.</summary>
public sealed class AuditCommandTests
{
    private const string Key = "key-of-auditor-0123456789";

    private static CancellationToken Token => ServerHarness.Token;

    private static ProcessStartInfo Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("AGENTFENSE_API_KEY");
        start.Environment.Remove("AGENTFENSE_SERVER");
        start.ArgumentList.Add(CliBinary.Path);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return start;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Cli(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync(Token);
        var stderr = process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Audit_PrintsTrail_Json_Follows_AndFailsClearly()
    {
        Requires.Bwrap();
        Requires.Fuse();
        await using var harness = await ServerHarness.StartAsync(boxes: true, apiKeys: new Dictionary<string, string> { [Key] = "auditor" });
        var auth = new Grpc.Core.Metadata { { "authorization", "Bearer " + Key } };
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "cli" }, auth, cancellationToken: Token);
        var create = new CreateSandboxRequest { CodebaseId = codebase.Id };
        create.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Read });
        var id = (await harness.Sandboxes.CreateSandboxAsync(create, auth, cancellationToken: Token)).Id;
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, auth, cancellationToken: Token);
        await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "touch made-up.txt" }, auth, cancellationToken: Token);
        var server = $"127.0.0.1:{harness.Server.GrpcEndPoint.Port}";

        var (code, stdout, stderr) = await RunAsync("audit", id, "--server", server, "--api-key", Key);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("made-up.txt", StringComparison.Ordinal)
            && l.Contains("(read; ** → read @0)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("command", StringComparison.Ordinal) && l.Contains("exit_nonzero", StringComparison.Ordinal)
            && l.EndsWith("touch made-up.txt", StringComparison.Ordinal));

        (code, stdout, _) = await RunAsync("audit", id, "--server", server, "--api-key", Key, "--json", "--kind", "command");
        Assert.Equal(0, code);
        var entry = JsonDocument.Parse(Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal("touch made-up.txt", entry.GetProperty("command").GetString());
        Assert.Equal("SANDBOX_AUDIT_ENTRY_KIND_COMMAND", entry.GetProperty("kind").GetString());

        // --follow prints what is recorded later, once.
        using (var follower = Process.Start(Cli("audit", id, "--server", server, "--api-key", Key, "--follow", "--interval", "200ms", "--kind", "command"))!)
        {
            var seen = new ConcurrentQueue<string>();
            var reading = Task.Run(async () =>
            {
                while (await follower.StandardOutput.ReadLineAsync(Token) is { } line)
                    seen.Enqueue(line);
            }, Token);
            try
            {
                await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "echo later" }, auth, cancellationToken: Token);
                for (var i = 0; i < 100 && !seen.Any(l => l.EndsWith("echo later", StringComparison.Ordinal)); i++)
                    await Task.Delay(100, Token);
                Assert.Single(seen, l => l.EndsWith("echo later", StringComparison.Ordinal));
                Assert.Single(seen, l => l.EndsWith("touch made-up.txt", StringComparison.Ordinal));
            }
            finally
            {
                follower.Kill();
                await follower.WaitForExitAsync(Token);
            }
        }

        (code, _, stderr) = await RunAsync("audit", id, "--server", server);
        Assert.Equal(1, code);
        Assert.Contains("API key", stderr);
        (code, _, stderr) = await RunAsync("audit", "sb_0000000000000000", "--server", server, "--api-key", Key);
        Assert.Equal(1, code);
        Assert.Contains("no sandbox 'sb_0000000000000000'", stderr);
        (code, _, stderr) = await RunAsync("audit", id, "--server", server, "--api-key", Key, "--kind", "everything");
        Assert.Equal(2, code);
        Assert.Contains("--kind 'everything'", stderr);
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, auth, cancellationToken: Token);
    }
}
