using System.Formats.Tar;
using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Google.Protobuf;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>The additions to the contract: rules updates, the delta (diff, commit, discard, export) and the audit.</summary>
public sealed class SandboxAdditionsTests
{
    private const string KeyA = "key-of-alice-0123456789";
    private const string KeyB = "key-of-bob-9876543210";

    private static CancellationToken Token => ServerHarness.Token;

    private static void RequireBoxes()
    {
        Requires.Bwrap();
        Requires.Fuse();
    }

    private static PermissionRule Rule(string pattern, Permission permission, int priority = 0) =>
        new() { Pattern = pattern, Permission = permission, Priority = priority };

    private static async Task<(ServerHarness Harness, string CodebaseId, string SandboxId)> StartedAsync(ServerHarness harness)
    {
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# demo\n"));
        await harness.UploadAsync(codebase.Id, "secret.txt", Encoding.UTF8.GetBytes("s3cret\n"));
        await harness.UploadAsync(codebase.Id, "notes.txt", Encoding.UTF8.GetBytes("notes\n"));
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(Rule("**", Permission.Write));
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        return (harness, codebase.Id, sandbox.Id);
    }

    private static Task<ExecResult> RunAsync(ServerHarness harness, string id, string command) =>
        harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = command }, cancellationToken: Token).ResponseAsync;

    private static async Task<RpcException> AssertStatusAsync(StatusCode expected, Func<Task> call, string? reason = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
        if (reason is not null)
            Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
        return e;
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task UpdateRules_Running_HidesAtOnce_AuditListsRefusals_BadRuleInvalid()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (_, _, id) = await StartedAsync(harness);
        var client = harness.Sandboxes;
        Assert.Equal("s3cret\n", (await RunAsync(harness, id, "cat secret.txt")).Stdout);

        var update = new UpdateSandboxRulesRequest { SandboxId = id };
        update.Permissions.Add(Rule("**", Permission.Write));
        update.Permissions.Add(Rule("secret.txt", Permission.None, 10));
        update.Permissions.Add(Rule("notes.txt", Permission.View, 10));
        var updated = await client.UpdateSandboxRulesAsync(update, cancellationToken: Token);
        Assert.Equal(3, updated.Permissions.Count);
        Assert.Equal(SandboxStatus.Running, updated.Status);

        var hidden = await RunAsync(harness, id, "cat secret.txt");
        Assert.NotEqual(0, hidden.ExitCode);
        Assert.Contains("No such file", hidden.Stderr);
        var viewed = await RunAsync(harness, id, "cat notes.txt");
        Assert.NotEqual(0, viewed.ExitCode);
        Assert.Contains("Permission denied", viewed.Stderr);
        Assert.Equal("# demo\n", (await RunAsync(harness, id, "cat README.md")).Stdout);

        var audit = await client.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Contains(audit.Entries, e => e.Path == "notes.txt" && e.Level == Permission.View && e.Operation.Length > 0 && e.Time is not null);
        var last = await client.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Limit = 1 }, cancellationToken: Token);
        Assert.Equal(audit.Entries[^1], Assert.Single(last.Entries));

        var bad = new UpdateSandboxRulesRequest { SandboxId = id };
        bad.Permissions.Add(Rule("a/../b", Permission.Read));
        var e = await AssertStatusAsync(StatusCode.InvalidArgument, () => client.UpdateSandboxRulesAsync(bad, cancellationToken: Token).ResponseAsync, "INVALID_RULE");
        Assert.Contains("a/../b", e.Status.Detail);
        Assert.Equal(3, (await client.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token)).Permissions.Count);

        // Persisted: after a restart the sandbox comes back with the new rules.
        await harness.RestartAsync();
        var back = await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Equal(3, back.Permissions.Count);
        if (back.Status == SandboxStatus.Running)
            Assert.NotEqual(0, (await RunAsync(harness, id, "cat secret.txt")).ExitCode);

        // The audit is persisted: a stopped sandbox's trail is still there.
        await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
        var stopped = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Contains(stopped.Entries, e => e.Path == "notes.txt" && e.Level == Permission.View);
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Delta_DiffExportCommitDiscard_OverGrpc()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (_, codebaseId, id) = await StartedAsync(harness);
        var client = harness.Sandboxes;
        Assert.Equal(0, (await RunAsync(harness, id, "echo changed > README.md && echo new > added.txt && rm notes.txt")).ExitCode);

        var changes = await client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, cancellationToken: Token);
        var byPath = changes.Changes.ToDictionary(c => c.Path);
        Assert.Equal(SandboxChangeKind.Modified, byPath["README.md"].Kind);
        Assert.Equal(8, byPath["README.md"].Size);
        Assert.Equal(SandboxChangeKind.Added, byPath["added.txt"].Kind);
        Assert.Equal(SandboxChangeKind.Deleted, byPath["notes.txt"].Kind);

        using var tar = new MemoryStream();
        using (var export = client.ExportSandboxChanges(new ExportSandboxChangesRequest { SandboxId = id }, cancellationToken: Token))
        {
            await foreach (var chunk in export.ResponseStream.ReadAllAsync(Token))
                chunk.Data.WriteTo(tar);
        }
        tar.Position = 0;
        var names = new List<string>();
        using (var reader = new TarReader(tar))
        {
            while (await reader.GetNextEntryAsync(cancellationToken: Token) is { } entry)
                names.Add(entry.Name);
        }
        Assert.Contains(names, n => n.EndsWith("added.txt", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("README.md", StringComparison.Ordinal));

        var commit = await client.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Equal(3, commit.Applied.Count);
        Assert.Empty(commit.Conflicts);
        Assert.Equal("changed\n", await DownloadAsync(harness, codebaseId, "README.md"));
        Assert.Equal("new\n", await DownloadAsync(harness, codebaseId, "added.txt"));
        Assert.Empty((await client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, cancellationToken: Token)).Changes);

        Assert.Equal(0, (await RunAsync(harness, id, "echo scratch > scratch.txt")).ExitCode);
        Assert.Single((await client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, cancellationToken: Token)).Changes);
        await client.DiscardSandboxChangesAsync(new DiscardSandboxChangesRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Empty((await client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, cancellationToken: Token)).Changes);
        Assert.NotEqual(0, (await RunAsync(harness, id, "cat scratch.txt")).ExitCode);
        Assert.Equal("changed\n", (await RunAsync(harness, id, "cat README.md")).Stdout);
        await client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Commit_CodebaseChangedMeanwhile_ConflictReported_SandboxVersionOnDisk()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (_, codebaseId, id) = await StartedAsync(harness);
        Assert.Equal(0, (await RunAsync(harness, id, "echo from-sandbox > README.md")).ExitCode);
        var onDisk = Path.Combine(harness.DataDirectory, "codebases", codebaseId, "README.md");
        Assert.Equal("# demo\n", File.ReadAllText(onDisk));
        File.WriteAllText(onDisk, "edited on the host meanwhile\n");

        var commit = await harness.Sandboxes.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = id }, cancellationToken: Token);
        Assert.Equal("README.md", Assert.Single(commit.Applied).Path);
        var conflict = Assert.Single(commit.Conflicts);
        Assert.Equal(("README.md", SandboxChangeKind.Modified), (conflict.Path, conflict.Kind));
        Assert.Equal("from-sandbox\n", File.ReadAllText(onDisk));
        Assert.Equal("from-sandbox\n", (await RunAsync(harness, id, "cat README.md")).Stdout);
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task RulesChangesAudit_OverRestRoutes()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (_, _, id) = await StartedAsync(harness);
        var (status, updated) = await harness.SendJsonAsync(HttpMethod.Put, $"/v1/sandboxes/{id}/rules", new
        {
            permissions = new object[]
            {
                new { pattern = "**", permission = "PERMISSION_WRITE" },
                new { pattern = "notes.txt", permission = "PERMISSION_VIEW", priority = 10 },
            },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("PERMISSION_VIEW", updated.GetProperty("permissions")[1].GetProperty("permission").GetString());
        (status, var bad) = await harness.SendJsonAsync(HttpMethod.Put, $"/v1/sandboxes/{id}/rules", new
        {
            permissions = new[] { new { pattern = "a/../b", permission = "PERMISSION_READ" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_RULE", bad.GetProperty("details")[0].GetProperty("reason").GetString());

        await RunAsync(harness, id, "cat notes.txt; echo x > out.txt");
        (status, var audit) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/audit?limit=10");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("path").GetString() == "notes.txt"
            && e.GetProperty("level").GetString() == "PERMISSION_VIEW");

        (status, var changes) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/changes");
        Assert.Equal(HttpStatusCode.OK, status);
        var change = Assert.Single(changes.GetProperty("changes").EnumerateArray());
        Assert.Equal("out.txt", change.GetProperty("path").GetString());
        Assert.Equal("SANDBOX_CHANGE_KIND_ADDED", change.GetProperty("kind").GetString());
        (status, _) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/changes:discard");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, changes) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/changes");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(changes.TryGetProperty("changes", out var left) && left.GetArrayLength() > 0);
        (status, var committed) = await harness.SendJsonAsync(HttpMethod.Post, $"/v1/sandboxes/{id}/changes:commit");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, committed.ValueKind);
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Files_ThroughThePolicyView_AsTheAgentSeesThem()
    {
        RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var (_, codebaseId, id) = await StartedAsync(harness);
        var client = harness.Sandboxes;
        var update = new UpdateSandboxRulesRequest { SandboxId = id };
        update.Permissions.Add(Rule("**", Permission.Write));
        update.Permissions.Add(Rule("secret.txt", Permission.None, 10));
        update.Permissions.Add(Rule("notes.txt", Permission.View, 10));
        update.Permissions.Add(Rule("README.md", Permission.Read, 10));
        await client.UpdateSandboxRulesAsync(update, cancellationToken: Token);
        Assert.Equal(0, (await RunAsync(harness, id, "mkdir -p sub && ln -s /etc/hostname sub/link")).ExitCode);

        var readme = await client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "README.md" }, cancellationToken: Token);
        Assert.Equal("# demo\n", readme.Content.ToStringUtf8());
        await AssertStatusAsync(StatusCode.NotFound,
            () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "secret.txt" }, cancellationToken: Token).ResponseAsync, "FILE_NOT_FOUND");
        await AssertStatusAsync(StatusCode.PermissionDenied,
            () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "notes.txt" }, cancellationToken: Token).ResponseAsync, "POLICY_DENIED");
        await AssertStatusAsync(StatusCode.PermissionDenied, () => client.WriteSandboxFileAsync(
            new WriteSandboxFileRequest { SandboxId = id, Path = "README.md", Content = ByteString.CopyFromUtf8("x") }, cancellationToken: Token).ResponseAsync, "POLICY_DENIED");
        await AssertStatusAsync(StatusCode.InvalidArgument,
            () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "sub/link" }, cancellationToken: Token).ResponseAsync, "INVALID_PATH");
        await AssertStatusAsync(StatusCode.InvalidArgument,
            () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "../x" }, cancellationToken: Token).ResponseAsync, "INVALID_PATH");

        var written = await client.WriteSandboxFileAsync(
            new WriteSandboxFileRequest { SandboxId = id, Path = "sub/new.txt", Content = ByteString.CopyFromUtf8("hello\n") }, cancellationToken: Token);
        Assert.Equal(("sub/new.txt", 6L, false), (written.Path, written.Size, written.IsDirectory));
        Assert.Equal("hello\n", (await RunAsync(harness, id, "cat sub/new.txt")).Stdout);
        Assert.Equal(0, (await RunAsync(harness, id, "echo more >> sub/new.txt")).ExitCode);

        var root = await client.ListSandboxFilesAsync(new ListSandboxFilesRequest { SandboxId = id }, cancellationToken: Token);
        var names = root.Files.Select(f => f.Path).ToList();
        Assert.Contains("README.md", names);
        Assert.Contains("notes.txt", names);
        Assert.DoesNotContain("secret.txt", names);
        Assert.True(root.Files.Single(f => f.Path == "sub").IsDirectory);
        var sub = await client.ListSandboxFilesAsync(new ListSandboxFilesRequest { SandboxId = id, Path = "sub" }, cancellationToken: Token);
        Assert.True(sub.Files.Single(f => f.Path == "sub/link").IsSymlink);
        var stat = await client.StatSandboxFileAsync(new StatSandboxFileRequest { SandboxId = id, Path = "notes.txt" }, cancellationToken: Token);
        Assert.Equal(6, stat.Size);
        await AssertStatusAsync(StatusCode.NotFound,
            () => client.StatSandboxFileAsync(new StatSandboxFileRequest { SandboxId = id, Path = "secret.txt" }, cancellationToken: Token).ResponseAsync, "FILE_NOT_FOUND");

        await client.DeleteSandboxFileAsync(new DeleteSandboxFileRequest { SandboxId = id, Path = "sub/new.txt" }, cancellationToken: Token);
        Assert.NotEqual(0, (await RunAsync(harness, id, "test -e sub/new.txt")).ExitCode);
        await AssertStatusAsync(StatusCode.PermissionDenied,
            () => client.DeleteSandboxFileAsync(new DeleteSandboxFileRequest { SandboxId = id, Path = "README.md" }, cancellationToken: Token).ResponseAsync, "POLICY_DENIED");
        Assert.True(File.Exists(Path.Combine(harness.DataDirectory, "codebases", codebaseId, "README.md")));

        var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/files:read?path=README.md");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("# demo\n", Encoding.UTF8.GetString(Convert.FromBase64String(body.GetProperty("content").GetString()!)));
        (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/files:stat?path=secret.txt");
        Assert.Equal(HttpStatusCode.NotFound, status);

        await client.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
        await AssertStatusAsync(StatusCode.FailedPrecondition,
            () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "README.md" }, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_RUNNING");
        await client.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
    }

    [Fact]
    public async Task OtherOwner_EveryAddition_NotFound()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: new Dictionary<string, string> { [KeyA] = "alice", [KeyB] = "bob" });
        var alice = new Metadata { { "authorization", $"Bearer {KeyA}" } };
        var bob = new Metadata { { "authorization", $"Bearer {KeyB}" } };
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, alice, cancellationToken: Token);
        var id = (await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, alice, cancellationToken: Token)).Id;
        var client = harness.Sandboxes;
        const StatusCode NotFound = StatusCode.NotFound;
        await AssertStatusAsync(NotFound, () => client.UpdateSandboxRulesAsync(new UpdateSandboxRulesRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.DiscardSandboxChangesAsync(new DiscardSandboxChangesRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = id, Path = "a" }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.WriteSandboxFileAsync(new WriteSandboxFileRequest { SandboxId = id, Path = "a" }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.ListSandboxFilesAsync(new ListSandboxFilesRequest { SandboxId = id }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.StatSandboxFileAsync(new StatSandboxFileRequest { SandboxId = id, Path = "a" }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, () => client.DeleteSandboxFileAsync(new DeleteSandboxFileRequest { SandboxId = id, Path = "a" }, bob, cancellationToken: Token).ResponseAsync, "SANDBOX_NOT_FOUND");
        await AssertStatusAsync(NotFound, async () =>
        {
            using var export = client.ExportSandboxChanges(new ExportSandboxChangesRequest { SandboxId = id }, bob, cancellationToken: Token);
            await export.ResponseStream.MoveNext(Token);
        }, "SANDBOX_NOT_FOUND");
        var (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes/{id}/changes", bearer: KeyB);
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await harness.SendJsonAsync(HttpMethod.Put, $"/v1/sandboxes/{id}/rules", new { permissions = Array.Empty<object>() }, KeyB);
        Assert.Equal(HttpStatusCode.NotFound, status);

        // The owner reaches them: a sandbox that never ran has no changes, and an empty audit trail.
        Assert.Empty((await client.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = id }, alice, cancellationToken: Token)).Changes);
        Assert.Empty((await client.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id }, alice, cancellationToken: Token)).Entries);
        var update = new UpdateSandboxRulesRequest { SandboxId = id };
        update.Permissions.Add(Rule("**", Permission.Read));
        Assert.Single((await client.UpdateSandboxRulesAsync(update, alice, cancellationToken: Token)).Permissions);
    }

    private static async Task<string> DownloadAsync(ServerHarness harness, string codebaseId, string path)
    {
        using var download = harness.Codebases.DownloadFile(new DownloadFileRequest { CodebaseId = codebaseId, FilePath = path }, cancellationToken: Token);
        using var content = new MemoryStream();
        await foreach (var chunk in download.ResponseStream.ReadAllAsync(Token))
            chunk.Data.WriteTo(content);
        return Encoding.UTF8.GetString(content.ToArray());
    }
}
