using System.Net;
using System.Text.Json;
using AgentFense.Api.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace AgentFense.Server.Tests;

/// <summary>API keys: every call needs <c>authorization: Bearer KEY</c>, and an owner sees only its own items.</summary>
public sealed class AuthenticationTests
{
    private const string KeyA = "key-of-alice-0123456789";
    private const string KeyB = "key-of-bob-9876543210";

    private static readonly Dictionary<string, string> Keys = new() { [KeyA] = "alice", [KeyB] = "bob" };

    private static CancellationToken Token => ServerHarness.Token;

    private static Metadata As(string key) => new() { { "authorization", $"Bearer {key}" } };

    private static async Task AssertStatusAsync(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
    }

    private static void AssertReason(JsonElement body, string reason) =>
        Assert.Equal(reason, Assert.Single(body.GetProperty("details").EnumerateArray()).GetProperty("reason").GetString());

    [Fact]
    public async Task Grpc_NoKeyOrWrongKey_Unauthenticated_RightKeyWorks()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys);
        var request = new CreateCodebaseRequest { Name = "demo" };
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => harness.Codebases.CreateCodebaseAsync(request, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => harness.Codebases.CreateCodebaseAsync(request, As("key-of-nobody"), cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => harness.Codebases.CreateCodebaseAsync(request, new Metadata { { "authorization", KeyA } }, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), As(KeyA[..^1]), cancellationToken: Token).ResponseAsync);
        // A streaming call is refused too.
        await AssertStatusAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", async () =>
        {
            using var download = harness.Codebases.DownloadFile(new DownloadFileRequest { CodebaseId = "cb_0000000000000000", FilePath = "a" }, cancellationToken: Token);
            await download.ResponseStream.MoveNext(Token);
        });

        // owner_id in the request is overridden by the key's owner.
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo", OwnerId = "mallory" }, As(KeyA), cancellationToken: Token);
        Assert.Equal("alice", codebase.OwnerId);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, As(KeyA), cancellationToken: Token);
        var got = await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = sandbox.Id }, As(KeyA), cancellationToken: Token);
        Assert.Equal(codebase.Id, got.CodebaseId);
    }

    [Fact]
    public async Task Rest_NoKeyOrWrongKey_401_RightKeyWorks()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys);
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases", new { name = "demo" });
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(16, body.GetProperty("code").GetInt32());
        AssertReason(body, "UNAUTHENTICATED");
        (status, body) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/codebases", bearer: "key-of-nobody");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        AssertReason(body, "UNAUTHENTICATED");

        (status, var created) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases", new { name = "demo", owner_id = "mallory" }, KeyB);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("bob", created.GetProperty("ownerId").GetString());
        var id = created.GetProperty("id").GetString();
        (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}", bearer: KeyB);
        Assert.Equal(HttpStatusCode.OK, status);
        (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}", bearer: KeyA);
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertReason(body, "CODEBASE_NOT_FOUND");
    }

    [Fact]
    public async Task Health_AnswersWithoutKey()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys);
        var reply = await new Health.HealthClient(harness.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Token);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Owners_AreIsolated_OthersIdsAreNotFound_AndListsAreOwn()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys);
        var codebases = harness.Codebases;
        var sandboxes = harness.Sandboxes;
        var bobCodebase = await codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "bob's" }, As(KeyB), cancellationToken: Token);
        await UploadAsync(harness, bobCodebase.Id, KeyB);
        var bobSandbox = await sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = bobCodebase.Id }, As(KeyB), cancellationToken: Token);
        var aliceCodebase = await codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "alice's" }, As(KeyA), cancellationToken: Token);
        var aliceSandbox = await sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = aliceCodebase.Id }, As(KeyA), cancellationToken: Token);

        var a = As(KeyA);
        const string noCodebase = "CODEBASE_NOT_FOUND", noSandbox = "SANDBOX_NOT_FOUND";
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, () => codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = bobCodebase.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, () => codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = bobCodebase.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, async () =>
        {
            using var download = codebases.DownloadFile(new DownloadFileRequest { CodebaseId = bobCodebase.Id, FilePath = "hello.txt" }, a, cancellationToken: Token);
            await download.ResponseStream.MoveNext(Token);
        });
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, () => UploadAsync(harness, bobCodebase.Id, KeyA));
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, () => codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = bobCodebase.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noCodebase, () => sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = bobCodebase.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.ExecAsync(new ExecRequest { SandboxId = bobSandbox.Id, Command = "true" }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.ListSessionsAsync(new ListSessionsRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = bobSandbox.Id }, a, cancellationToken: Token).ResponseAsync);
        var (status, _) = await harness.SendJsonAsync(HttpMethod.Delete, $"/v1/sandboxes/{bobSandbox.Id}", bearer: KeyA);
        Assert.Equal(HttpStatusCode.NotFound, status);

        // Lists hold only the caller's items, whatever owner_id asks for.
        var aliceCodebases = await codebases.ListCodebasesAsync(new ListCodebasesRequest { OwnerId = "bob" }, a, cancellationToken: Token);
        Assert.Equal([aliceCodebase.Id], aliceCodebases.Codebases.Select(c => c.Id));
        var aliceSandboxes = await sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), a, cancellationToken: Token);
        Assert.Equal([aliceSandbox.Id], aliceSandboxes.Sandboxes.Select(s => s.Id));
        var bobSandboxes = await sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), As(KeyB), cancellationToken: Token);
        Assert.Equal([bobSandbox.Id], bobSandboxes.Sandboxes.Select(s => s.Id));

        // Bob's items are untouched, and the owner survives a restart (it is in the rows).
        await harness.RestartAsync();
        await AssertStatusAsync(StatusCode.NotFound, noSandbox, () => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = bobSandbox.Id }, As(KeyA), cancellationToken: Token).ResponseAsync);
        var files = await harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = bobCodebase.Id }, As(KeyB), cancellationToken: Token);
        Assert.Equal(["hello.txt"], files.Files.Select(f => f.Path));
        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = bobSandbox.Id }, As(KeyB), cancellationToken: Token);
        Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), As(KeyB), cancellationToken: Token)).Sandboxes);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Sessions_And_Streams_OfAnotherOwner_AreNotFound()
    {
        AgentFense.TestSupport.Requires.Bwrap();
        AgentFense.TestSupport.Requires.Fuse();
        await using var harness = await ServerHarness.StartAsync(boxes: true, apiKeys: Keys);
        var a = As(KeyA);
        var b = As(KeyB);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "alice's" }, a, cancellationToken: Token);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(new CreateSandboxRequest { CodebaseId = codebase.Id }, a, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, a, cancellationToken: Token);
        try
        {
            var session = await harness.Sandboxes.CreateSessionAsync(new CreateSessionRequest { SandboxId = sandbox.Id }, a, cancellationToken: Token);
            const string noSession = "SESSION_NOT_FOUND";
            await AssertStatusAsync(StatusCode.NotFound, noSession,
                () => harness.Sandboxes.GetSessionAsync(new GetSessionRequest { SessionId = session.Id }, b, cancellationToken: Token).ResponseAsync);
            await AssertStatusAsync(StatusCode.NotFound, noSession,
                () => harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "true" }, b, cancellationToken: Token).ResponseAsync);
            await AssertStatusAsync(StatusCode.NotFound, noSession,
                () => harness.Sandboxes.DestroySessionAsync(new DestroySessionRequest { SessionId = session.Id }, b, cancellationToken: Token).ResponseAsync);
            await AssertStatusAsync(StatusCode.NotFound, noSession, async () =>
            {
                using var stream = harness.Sandboxes.SessionExecStream(new SessionExecRequest { SessionId = session.Id, Command = "true" }, b, cancellationToken: Token);
                await stream.ResponseStream.MoveNext(Token);
            });
            await AssertStatusAsync(StatusCode.NotFound, "SANDBOX_NOT_FOUND", async () =>
            {
                using var stream = harness.Sandboxes.ExecStream(new ExecRequest { SandboxId = sandbox.Id, Command = "true" }, b, cancellationToken: Token);
                await stream.ResponseStream.MoveNext(Token);
            });
            var result = await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "echo hi" }, a, cancellationToken: Token);
            Assert.Equal("hi\n", result.Stdout);
            var exec = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "echo ok" }, a, cancellationToken: Token);
            Assert.Equal("ok\n", exec.Stdout);
            Assert.Single((await harness.Sandboxes.ListSessionsAsync(new ListSessionsRequest { SandboxId = sandbox.Id }, a, cancellationToken: Token)).Sessions);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, a, cancellationToken: Token);
        }
    }

    [Fact]
    public async Task SchemaV1Rows_GetNoOwner_InvisibleWithKeys_VisibleWithout()
    {
        await using var harness = await ServerHarness.StartAsync();
        var old = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "old", OwnerId = "alice" }, cancellationToken: Token);
        var database = Path.Combine(harness.DataDirectory, "agentfense.db");

        // Back to a version-1 database (no owner columns), as an older server left it.
        await harness.RestartAsync(Keys, () =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                ALTER TABLE codebases DROP COLUMN auth_owner;
                ALTER TABLE sandboxes DROP COLUMN auth_owner;
                ALTER TABLE sandboxes DROP COLUMN in_error;
                ALTER TABLE sandboxes DROP COLUMN status_reason;
                DROP TABLE sessions;
                ALTER TABLE codebases DROP COLUMN read_only;
                ALTER TABLE codebases DROP COLUMN host_path;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        });
        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND",
            () => harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = old.Id }, As(KeyA), cancellationToken: Token).ResponseAsync);
        Assert.Empty((await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest { OwnerId = "alice" }, As(KeyA), cancellationToken: Token)).Codebases);

        await harness.RestartAsync(null);
        var listed = await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest(), cancellationToken: Token);
        Assert.Equal([old.Id], listed.Codebases.Select(c => c.Id));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT (SELECT user_version FROM pragma_user_version) || ':' || (SELECT auth_owner FROM codebases)";
            Assert.Equal($"{Storage.MetadataStore.SchemaVersion}:", command.ExecuteScalar());
        }
    }

    private static async Task UploadAsync(ServerHarness harness, string codebaseId, string key)
    {
        var content = "hello\n"u8.ToArray();
        using var call = harness.Codebases.UploadFiles(As(key), cancellationToken: Token);
        await call.RequestStream.WriteAsync(new UploadChunk
        {
            Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = "hello.txt", TotalSize = content.Length },
        }, Token);
        await call.RequestStream.WriteAsync(new UploadChunk { Data = Google.Protobuf.ByteString.CopyFrom(content) }, Token);
        await call.RequestStream.CompleteAsync();
        await call;
    }
}
