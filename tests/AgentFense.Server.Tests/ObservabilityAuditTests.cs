using System.Net;
using System.Text;
using System.Text.Json;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>
/// The persisted audit trail: each kind of refusal with the rule that decided it, each command with its session,
/// exit code, duration and outcome; paging, time and kind filters, the per-sandbox bound, reads after stop and
/// destroy, the retention purge, and the JSON-lines export. Real boxes and mounts perform the refused operations.
/// </summary>
public sealed class ObservabilityAuditTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static void RequireBoxes()
    {
        Requires.Bwrap();
        Requires.Fuse();
    }

    private static PermissionRule Rule(string pattern, Permission permission, int priority = 0, PatternType type = PatternType.Glob) =>
        new() { Pattern = pattern, Permission = permission, Priority = priority, Type = type };

    private static async Task<string> StartedAsync(ServerHarness harness, Metadata? headers = null)
    {
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "audited" }, headers, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# audited\n"));
        await harness.UploadAsync(codebase.Id, "secret.txt", Encoding.UTF8.GetBytes("s3cret\n"));
        await harness.UploadAsync(codebase.Id, "notes.txt", Encoding.UTF8.GetBytes("notes\n"));
        await harness.UploadAsync(codebase.Id, "out/.keep", []);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(Rule("**", Permission.Read));
        request.Permissions.Add(Rule("out/**", Permission.Write, 10));
        request.Permissions.Add(Rule("secret.txt", Permission.None, 10, PatternType.File));
        request.Permissions.Add(Rule("notes.txt", Permission.View, 10));
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, headers, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, headers, cancellationToken: Token);
        return sandbox.Id;
    }

    private static Task<ExecResult> Exec(ServerHarness harness, string id, string command) =>
        harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = command }, cancellationToken: Token).ResponseAsync;

    private static async Task<List<SandboxAuditEntry>> AllAsync(ServerHarness harness, GetSandboxAuditRequest request)
    {
        var all = new List<SandboxAuditEntry>();
        while (true)
        {
            var page = await harness.Sandboxes.GetSandboxAuditAsync(request, cancellationToken: Token);
            all.AddRange(page.Entries);
            if (page.NextPageToken.Length == 0)
                return all;
            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Audit_EachRefusalAndCommand_RecordedWithRuleSessionExitAndDuration()
    {
        RequireBoxes();
        var export = Path.Combine(Path.GetTempPath(), $"agentfense-audit-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with
            {
                Observability = o.Observability with { AuditExportPath = export },
            });
            var id = await StartedAsync(harness);
            var started = DateTimeOffset.UtcNow;
            // Each attack is performed for real and must fail.
            Assert.NotEqual(0, (await Exec(harness, id, "cat secret.txt")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "cat notes.txt")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "echo pwned > README.md")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "rm README.md")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "mkdir newdir")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "mv README.md out/moved.md")).ExitCode);
            Assert.Equal(0, (await Exec(harness, id, "echo ok > out/ok.txt")).ExitCode);
            var session = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = id, Shell = "/bin/sh" }, cancellationToken: Token);
            var inSession = await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "cd out && exit_code=7; (exit 7)" }, cancellationToken: Token);
            Assert.Equal(7, inSession.ExitCode);

            var refusals = await AllAsync(harness, new GetSandboxAuditRequest { SandboxId = id, Kind = SandboxAuditEntryKind.Refusal, PageSize = 100 });
            Assert.All(refusals, r => Assert.Equal(SandboxAuditEntryKind.Refusal, r.Kind));
            void Refused(string operation, string path, Permission level, string rulePattern)
            {
                var entry = refusals.FirstOrDefault(r => r.Operation == operation && r.Path == path);
                Assert.True(entry is not null, $"no {operation} refusal of {path} in [{string.Join(", ", refusals.Select(r => $"{r.Operation} {r.Path}"))}]");
                Assert.Equal(level, entry.Level);
                Assert.Equal(rulePattern, entry.Rule?.Pattern);
                Assert.True(entry.Time.ToDateTimeOffset() >= started.AddSeconds(-1));
            }
            Refused("lookup", "secret.txt", Permission.None, "secret.txt");
            Assert.Equal(PatternType.File, refusals.First(r => r.Path == "secret.txt").Rule.Type);
            Refused("open-read", "notes.txt", Permission.View, "notes.txt");
            Refused("open-write", "README.md", Permission.Read, "**");
            Refused("unlink", "README.md", Permission.Read, "**");
            Refused("mkdir", "newdir", Permission.Read, "**");
            Refused("rename", "README.md", Permission.Read, "**");
            Assert.DoesNotContain(refusals, r => r.Path.StartsWith("out/ok", StringComparison.Ordinal));

            var commands = await AllAsync(harness, new GetSandboxAuditRequest { SandboxId = id, Kind = SandboxAuditEntryKind.Command, PageSize = 3 });
            Assert.Equal(["cat secret.txt", "cat notes.txt", "echo pwned > README.md", "rm README.md", "mkdir newdir", "mv README.md out/moved.md", "echo ok > out/ok.txt"],
                commands.Where(c => c.SessionId.Length == 0).Select(c => c.Command));
            Assert.Equal("exit_nonzero", commands[0].Outcome);
            Assert.Equal(1, commands[0].ExitCode);
            var ok = commands.Single(c => c.Command == "echo ok > out/ok.txt");
            Assert.Equal(("exit_zero", 0), (ok.Outcome, ok.ExitCode));
            Assert.True(ok.Duration.ToTimeSpan() > TimeSpan.Zero && ok.Duration.ToTimeSpan() < TimeSpan.FromSeconds(30));
            var sessionCommand = commands.Single(c => c.SessionId.Length > 0);
            Assert.Equal(session.Id, sessionCommand.SessionId);
            Assert.Equal(7, sessionCommand.ExitCode);

            // Both kinds together, oldest first; paging returns exactly the unpaged list.
            var everything = (await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token)).Entries.ToList();
            Assert.Equal(everything, await AllAsync(harness, new GetSandboxAuditRequest { SandboxId = id, PageSize = 2 }));
            // In the order recorded: a command when it ended, after the refusals it caused (its time is when it started).
            var firstCommand = everything.FindIndex(e => e.Command == "cat secret.txt");
            var firstRefusal = everything.FindIndex(e => e.Path == "secret.txt");
            Assert.True(firstRefusal < firstCommand && everything[firstRefusal].Time.ToDateTimeOffset() >= everything[firstCommand].Time.ToDateTimeOffset());
            Assert.Equal(refusals.Count + commands.Count, everything.Count);
            // Time filters: since the mv command, and until it.
            var mv = commands.Single(c => c.Command.StartsWith("mv ", StringComparison.Ordinal));
            var since = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Since = mv.Time, Kind = SandboxAuditEntryKind.Command }, cancellationToken: Token);
            Assert.Equal(["mv README.md out/moved.md", "echo ok > out/ok.txt", sessionCommand.Command], since.Entries.Select(e => e.Command));
            var until = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Until = mv.Time, Kind = SandboxAuditEntryKind.Command }, cancellationToken: Token);
            Assert.Equal(5, until.Entries.Count);
            // limit keeps its old meaning: the newest N.
            var last2 = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Limit = 2 }, cancellationToken: Token);
            Assert.Equal(everything[^2..], last2.Entries);

            // The export holds the same events as JSON lines.
            harness.Server.Telemetry!.Recorder.Flush();
            var exported = File.ReadAllLines(export).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(exported, e => e.GetProperty("kind").GetString() == "refusal" && e.GetProperty("path").GetString() == "secret.txt"
                && e.GetProperty("rule").GetProperty("pattern").GetString() == "secret.txt" && e.GetProperty("sandbox").GetString() == id);
            Assert.Contains(exported, e => e.GetProperty("kind").GetString() == "command" && e.GetProperty("command").GetString() == "echo ok > out/ok.txt"
                && e.GetProperty("exitCode").GetInt32() == 0);
            Assert.Equal(everything.Count, exported.Count(e => e.GetProperty("sandbox").GetString() == id));

            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
        finally
        {
            File.Delete(export);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Audit_Bounded_KeptAfterStopRestartAndDestroy_PurgedAfterRetention()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with
        {
            Observability = o.Observability with { AuditMaxEntriesPerSandbox = 5, AuditRetention = TimeSpan.FromHours(1) },
        });
        var id = await StartedAsync(harness);
        for (var i = 0; i < 8; i++)
            Assert.Equal(0, (await Exec(harness, id, $"echo {i}")).ExitCode);
        var kept = (await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token)).Entries;
        Assert.Equal(["echo 3", "echo 4", "echo 5", "echo 6", "echo 7"], kept.Select(e => e.Command));

        await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
        await harness.RestartAsync();
        Assert.Equal(kept, (await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token)).Entries);

        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Equal(kept, (await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token)).Entries);
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/audit?kind=SANDBOX_AUDIT_ENTRY_KIND_COMMAND&pageSize=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("entries").GetArrayLength());
        Assert.Equal("echo 3", body.GetProperty("entries")[0].GetProperty("command").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("nextPageToken").GetString()));

        // Within the retention nothing goes; past it the trail is purged and the id is unknown.
        var recorder = harness.Server.Telemetry!.Recorder;
        Assert.Equal(0, recorder.Purge(DateTimeOffset.UtcNow));
        Assert.Equal(5, recorder.Purge(DateTimeOffset.UtcNow.AddHours(2)));
        var gone = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Audit_BackgroundProcess_RecordedWhenItExits()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var id = await StartedAsync(harness);
        await harness.Sandboxes.StartProcessAsync(new StartProcessRequest { SandboxId = id, Command = "sleep 0.2; exit 5" }, cancellationToken: Token);
        SandboxAuditEntry? entry = null;
        for (var i = 0; i < 100 && entry is null; i++)
        {
            var audit = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Kind = SandboxAuditEntryKind.Command }, cancellationToken: Token);
            entry = audit.Entries.FirstOrDefault(e => e.Command == "sleep 0.2; exit 5");
            if (entry is null)
                await Task.Delay(50, Token);
        }
        Assert.NotNull(entry);
        Assert.Equal((5, "exit_nonzero"), (entry.ExitCode, entry.Outcome));
        Assert.True(entry.Duration.ToTimeSpan() >= TimeSpan.FromMilliseconds(200));
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    public async Task Audit_BadRequests_InvalidArgumentNamingTheField_OtherOwnerNotFound()
    {
        const string keyA = "key-of-alice-0123456789";
        const string keyB = "key-of-bob-9876543210";
        await using var harness = await ServerHarness.StartAsync(apiKeys: new Dictionary<string, string> { [keyA] = "alice", [keyB] = "bob" });
        var alice = new Metadata { { "authorization", "Bearer " + keyA } };
        var bob = new Metadata { { "authorization", "Bearer " + keyB } };
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "x" }, alice, cancellationToken: Token);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, alice, cancellationToken: Token);
        // Never started: an empty trail, not an error.
        var empty = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = sandbox.Id }, alice, cancellationToken: Token);
        Assert.Empty(empty.Entries);
        Assert.Equal("", empty.NextPageToken);
        Assert.NotEqual("", empty.ResumeToken);

        async Task Invalid(GetSandboxAuditRequest request, string names)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.GetSandboxAuditAsync(request, alice, cancellationToken: Token).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(names, e.Status.Detail);
        }
        await Invalid(new GetSandboxAuditRequest { SandboxId = sandbox.Id, PageToken = "bogus" }, "page_token");
        await Invalid(new GetSandboxAuditRequest { SandboxId = sandbox.Id, PageSize = 5000 }, "page_size");
        await Invalid(new GetSandboxAuditRequest { SandboxId = sandbox.Id, Limit = -1 }, "limit");
        await Invalid(new GetSandboxAuditRequest { SandboxId = sandbox.Id, Kind = (SandboxAuditEntryKind)9 }, "kind");
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        await Invalid(new GetSandboxAuditRequest { SandboxId = sandbox.Id, Since = now, Until = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)) }, "until");
        var other = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = sandbox.Id }, bob, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
        // The server is still up.
        Assert.NotNull(await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = sandbox.Id }, alice, cancellationToken: Token));
    }
}
