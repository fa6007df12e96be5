using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;
using static AgentFense.Server.Tests.CodebaseCalls;

namespace AgentFense.Server.Tests;

/// <summary>RegisterCodebase: host directories used in place, read-only, only under the allowed directories.</summary>
public sealed class CodebaseRegisterTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static Task<Codebase> RegisterAsync(ServerHarness harness, string hostPath, string name = "host") =>
        harness.Codebases.RegisterCodebaseAsync(new RegisterCodebaseRequest { Name = name, OwnerId = "alice", HostPath = hostPath }, cancellationToken: Token).ResponseAsync;

    /// <summary>A host tree: two files, a subdirectory, a link inside and a link out to /etc.</summary>
    private static TempDirectory HostTree()
    {
        var host = new TempDirectory("agentfense-host-");
        host.WriteFile("README.md", "# on the host\n");
        host.WriteFile("src/main.c", "int main(void) { return 0; }\n");
        File.CreateSymbolicLink(host["readme-link"], "README.md");
        File.CreateSymbolicLink(host["etc-link"], "/etc");
        return host;
    }

    [Fact]
    public async Task Register_NoAllowedDirectories_PermissionDenied()
    {
        using var host = HostTree();
        await using var harness = await ServerHarness.StartAsync();
        var e = await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, host.Path));
        Assert.Contains("not enabled", e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest(), cancellationToken: Token)).Codebases);
    }

    [Fact]
    public async Task Register_UnderAllowed_ReadOnlyInPlace_SurvivesRestart_DeleteLeavesHostFiles()
    {
        using var allowed = new TempDirectory("agentfense-allowed-");
        var hostPath = allowed.CreateDirectory("project");
        File.WriteAllText(Path.Combine(hostPath, "README.md"), "# on the host\n");
        Directory.CreateDirectory(Path.Combine(hostPath, "src"));
        File.WriteAllText(Path.Combine(hostPath, "src/main.c"), "int main;\n");
        File.CreateSymbolicLink(Path.Combine(hostPath, "link"), "README.md");
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { RegisterAllowedDirectories = [allowed.Path] });

        var codebase = await RegisterAsync(harness, hostPath + "/");
        Assert.True(codebase.ReadOnly);
        Assert.Equal(hostPath, codebase.HostPath);
        Assert.Equal(("host", "alice"), (codebase.Name, codebase.OwnerId));
        Assert.Equal((3, 14L + 10), (codebase.FileCount, codebase.Size));
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "codebases", codebase.Id)), "nothing is copied");
        Assert.Equal(["README.md", "link", "src", "src/main.c"], await ListAsync(harness, codebase.Id));
        Assert.Equal("int main;\n", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "src/main.c")));

        await AssertStatusAsync(StatusCode.FailedPrecondition, "CODEBASE_READ_ONLY", () => UploadFileAsync(harness, codebase.Id, "new.txt", [1]));
        await AssertStatusAsync(StatusCode.FailedPrecondition, "CODEBASE_READ_ONLY", () => UploadTreeAsync(harness, codebase.Id, new TreeFile("README.md", [1])));
        await AssertStatusAsync(StatusCode.FailedPrecondition, "CODEBASE_READ_ONLY", () => UploadArchiveAsync(harness, codebase.Id, new byte[1024]));
        Assert.Equal("# on the host\n", File.ReadAllText(Path.Combine(hostPath, "README.md")));
        Assert.False(File.Exists(Path.Combine(hostPath, "new.txt")));

        await harness.RestartAsync();
        var again = await GetAsync(harness, codebase.Id);
        Assert.Equal((true, hostPath, 3), (again.ReadOnly, again.HostPath, again.FileCount));
        Assert.Equal("# on the host\n", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "README.md")));
        await AssertStatusAsync(StatusCode.FailedPrecondition, "CODEBASE_READ_ONLY", () => UploadFileAsync(harness, codebase.Id, "new.txt", [1]));

        await harness.Codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND", () => GetAsync(harness, codebase.Id));
        Assert.Equal("# on the host\n", File.ReadAllText(Path.Combine(hostPath, "README.md")));
        Assert.Equal("int main;\n", File.ReadAllText(Path.Combine(hostPath, "src/main.c")));
        Assert.Equal("README.md", new System.IO.FileInfo(Path.Combine(hostPath, "link")).LinkTarget);
    }

    [Fact]
    public async Task Register_RefusedPaths_ClearReasons()
    {
        using var allowed = new TempDirectory("agentfense-allowed-");
        allowed.WriteFile("a-file.txt", "x");
        File.CreateSymbolicLink(allowed["link-out"], "/usr");
        allowed.CreateDirectory("inside");
        File.CreateSymbolicLink(allowed["link-in"], "inside");
        // The data directory lies under /tmp too: allowing /tmp must still never register it.
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { RegisterAllowedDirectories = [allowed.Path, Path.GetTempPath()] });
        var data = harness.DataDirectory;

        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => RegisterAsync(harness, "relative/dir"));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => RegisterAsync(harness, ""));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => RegisterAsync(harness, allowed["inside"], name: ""));
        await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, "/etc"));
        await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, allowed.Path + "/../../etc"));
        // Under an allowed directory by name, elsewhere by its link.
        var e = await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, Path.Combine(allowed.Path, "link-out", "..", "..", "etc")));
        e = await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, allowed["link-out"]));
        Assert.Contains("resolves through links", e.Status.Detail, StringComparison.Ordinal);
        await AssertStatusAsync(StatusCode.NotFound, "HOST_PATH_NOT_FOUND", () => RegisterAsync(harness, allowed["missing"]));
        await AssertStatusAsync(StatusCode.InvalidArgument, "HOST_PATH_NOT_DIRECTORY", () => RegisterAsync(harness, allowed["a-file.txt"]));
        // The data directory, something in it, something holding it.
        await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, data));
        await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, Path.Combine(data, "codebases")));
        await AssertStatusAsync(StatusCode.PermissionDenied, "REGISTER_NOT_ALLOWED", () => RegisterAsync(harness, Path.GetTempPath()));
        Assert.Empty((await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest(), cancellationToken: Token)).Codebases);

        // A link inside the allowed directory to a directory inside it is fine: the resolved path is kept.
        var viaLink = await RegisterAsync(harness, allowed["link-in"]);
        Assert.Equal(allowed["inside"], viaLink.HostPath);
    }

    [Fact]
    public async Task Register_LinksInTheHostTree_NeverLeadReadsOut()
    {
        using var allowed = new TempDirectory("agentfense-allowed-");
        using var host = HostTree();
        var hostPath = allowed.CreateDirectory("tree");
        foreach (var file in new[] { "README.md", "src/main.c" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(hostPath, file))!);
            File.Copy(host[file], Path.Combine(hostPath, file));
        }
        File.CreateSymbolicLink(Path.Combine(hostPath, "etc-link"), "/etc");
        File.CreateSymbolicLink(Path.Combine(hostPath, "passwd-link"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(hostPath, "readme-link"), "README.md");
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { RegisterAllowedDirectories = [allowed.Path] });
        var codebase = await RegisterAsync(harness, hostPath);

        await AssertStatusAsync(StatusCode.PermissionDenied, "PATH_OUTSIDE_CODEBASE", () => DownloadAsync(harness, codebase.Id, "passwd-link"));
        await AssertStatusAsync(StatusCode.PermissionDenied, "PATH_OUTSIDE_CODEBASE", () => DownloadAsync(harness, codebase.Id, "etc-link/passwd"));
        await AssertStatusAsync(StatusCode.PermissionDenied, "PATH_OUTSIDE_CODEBASE",
            () => harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = codebase.Id, Path = "etc-link" }, cancellationToken: Token).ResponseAsync);
        Assert.Equal("# on the host\n", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "readme-link")));
        // A recursive listing shows the links and never what is behind them.
        var listed = await ListAsync(harness, codebase.Id);
        Assert.Equal(["README.md", "etc-link", "passwd-link", "readme-link", "src", "src/main.c"], listed);
    }

    [Fact]
    public async Task Register_WithApiKeys_OwnedByTheKeysOwner_InvisibleToOthers()
    {
        using var allowed = new TempDirectory("agentfense-allowed-");
        allowed.WriteFile("proj/a.txt", "abc");
        var keys = new Dictionary<string, string> { ["key-of-alice-0123456789"] = "alice", ["key-of-bob-9876543210"] = "bob" };
        await using var harness = await ServerHarness.StartAsync(apiKeys: keys, configure: o => o with { RegisterAllowedDirectories = [allowed.Path] });
        static Metadata As(string key) => new() { { "authorization", $"Bearer {key}" } };

        var codebase = await harness.Codebases.RegisterCodebaseAsync(new RegisterCodebaseRequest { Name = "p", OwnerId = "mallory", HostPath = allowed["proj"] },
            As("key-of-alice-0123456789"), cancellationToken: Token);
        Assert.Equal("alice", codebase.OwnerId);
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => RegisterAsync(harness, allowed["proj"]));
        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND",
            () => harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebase.Id }, As("key-of-bob-9876543210"), cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND",
            () => harness.Codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = codebase.Id }, As("key-of-bob-9876543210"), cancellationToken: Token).ResponseAsync);
        Assert.True(File.Exists(allowed["proj/a.txt"]));
    }

    [Fact]
    public async Task SchemaV4Database_MigratesToV5_CodebasesStayWritable()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await harness.UploadAsync(codebase.Id, "a.txt", [1, 2, 3]);
        var database = Path.Combine(harness.DataDirectory, "agentfense.db");
        await harness.RestartAsync(null, () =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                ALTER TABLE codebases DROP COLUMN read_only;
                ALTER TABLE codebases DROP COLUMN host_path;
                PRAGMA user_version = 4;
                """;
            command.ExecuteNonQuery();
        });
        var got = await GetAsync(harness, codebase.Id);
        Assert.Equal((false, "", 1, 3L), (got.ReadOnly, got.HostPath, got.FileCount, got.Size));
        await harness.UploadAsync(codebase.Id, "b.txt", [4]);
        Assert.Equal(["a.txt", "b.txt"], await ListAsync(harness, codebase.Id));
    }

    [Fact]
    public async Task Register_OverRest_JsonShape()
    {
        using var allowed = new TempDirectory("agentfense-allowed-");
        allowed.WriteFile("proj/a.txt", "abc");
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { RegisterAllowedDirectories = [allowed.Path] });
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases:register", new { name = "rest", ownerId = "bob", hostPath = allowed["proj"] });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("readOnly").GetBoolean());
        Assert.Equal(allowed["proj"], body.GetProperty("hostPath").GetString());
        Assert.Equal("3", body.GetProperty("size").GetString());
        Assert.Equal(1, body.GetProperty("fileCount").GetInt32());

        (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases:register", new { name = "rest", hostPath = "/etc" });
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task SandboxOverRegistered_ViewsAndWritesToItsDelta_CommitRefused_HostUntouched()
    {
        Requires.Bwrap();
        Requires.Fuse();
        using var allowed = new TempDirectory("agentfense-allowed-");
        allowed.WriteFile("proj/README.md", "# host\n");
        allowed.WriteFile("proj/secret.env", "TOKEN=1\n");
        // The box enters the view as another user: the host tree must be readable by it, as an operator's would be.
        foreach (var dir in new[] { allowed.Path, allowed["proj"] })
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with { RegisterAllowedDirectories = [allowed.Path] });
        var codebase = await RegisterAsync(harness, allowed["proj"]);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        request.Permissions.Add(new PermissionRule { Pattern = "secret.env", Permission = Permission.None, Priority = 10 });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        try
        {
            var run = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "cat README.md && echo changed > README.md && echo new > new.txt && ls" },
                cancellationToken: Token);
            Assert.Equal(0, run.ExitCode);
            Assert.StartsWith("# host\n", run.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("secret.env", run.Stdout, StringComparison.Ordinal);
            var changes = await harness.Sandboxes.GetSandboxChangesAsync(new GetSandboxChangesRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            Assert.Equal(["README.md", "new.txt"], changes.Changes.Select(c => c.Path).Order(StringComparer.Ordinal));

            await AssertStatusAsync(StatusCode.FailedPrecondition, "CODEBASE_READ_ONLY",
                () => harness.Sandboxes.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = sandbox.Id }, cancellationToken: Token).ResponseAsync);
            Assert.Equal("# host\n", File.ReadAllText(allowed["proj/README.md"]));
            Assert.False(File.Exists(allowed["proj/new.txt"]));
            Assert.Equal("changed\n", (await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "cat README.md" }, cancellationToken: Token)).Stdout);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
        await harness.Codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal("# host\n", File.ReadAllText(allowed["proj/README.md"]));
        Assert.Equal("TOKEN=1\n", File.ReadAllText(allowed["proj/secret.env"]));
    }
}
