using System.Net;
using System.Security.Cryptography;
using System.Text;
using AgentFense.Api.V1;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>CodebaseService over gRPC and REST against a real server.</summary>
public sealed class CodebaseServiceTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task UploadFiles_ThenListAndDownload_RoundTripsWithChecksum()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo", OwnerId = "alice" }, cancellationToken: Token);
        Assert.Matches("^cb_[0-9a-f]{16}$", codebase.Id);

        var big = new byte[200_000];
        new Random(5).NextBytes(big);
        var uploaded = await harness.UploadAsync(codebase.Id, "src/data.bin", big);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), uploaded.Checksum);
        Assert.Equal(big.Length, uploaded.Size);
        Assert.Equal("src/data.bin", uploaded.FilePath);
        await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# demo\n"));
        await harness.UploadAsync(codebase.Id, "empty.txt", []);

        var got = await harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal(3, got.FileCount);
        Assert.Equal(big.Length + 7, got.Size);

        var all = await harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = codebase.Id, Recursive = true }, cancellationToken: Token);
        Assert.Equal(["README.md", "empty.txt", "src", "src/data.bin"], all.Files.Select(f => f.Path));
        Assert.True(all.Files.Single(f => f.Path == "src").IsDir);
        Assert.Equal(big.Length, all.Files.Single(f => f.Path == "src/data.bin").Size);
        var top = await harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal(["README.md", "empty.txt", "src"], top.Files.Select(f => f.Path));
        var sub = await harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = codebase.Id, Path = "src" }, cancellationToken: Token);
        Assert.Equal("data.bin", Assert.Single(sub.Files).Name);

        using var download = harness.Codebases.DownloadFile(new DownloadFileRequest { CodebaseId = codebase.Id, FilePath = "src/data.bin" }, cancellationToken: Token);
        var received = new MemoryStream();
        var chunks = 0;
        while (await download.ResponseStream.MoveNext(Token))
        {
            received.Write(download.ResponseStream.Current.Data.Span);
            chunks++;
        }
        Assert.Equal(big, received.ToArray());
        Assert.True(chunks > 1, "a 200 kB file comes in several chunks");

        // Replacing a file keeps the totals current.
        await harness.UploadAsync(codebase.Id, "src/data.bin", [1, 2, 3]);
        got = await harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebase.Id }, cancellationToken: Token);
        Assert.Equal((3, 10L), (got.FileCount, got.Size));
    }

    [Fact]
    public async Task UploadFiles_LargerThanKestrelsBodyLimit_Succeeds()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "big" }, cancellationToken: Token);
        var content = new byte[40 * 1024 * 1024];
        new Random(7).NextBytes(content);
        var result = await harness.UploadAsync(codebase.Id, "blob.bin", content);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), result.Checksum);
        Assert.Equal(content.Length, new System.IO.FileInfo(Path.Combine(harness.DataDirectory, "codebases", codebase.Id, "blob.bin")).Length);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a\0b")]
    [InlineData("")]
    public async Task UploadFiles_BadPath_InvalidArgumentAndNothingWritten(string path)
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.UploadAsync(codebase.Id, path, Encoding.UTF8.GetBytes("x")));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("INVALID_PATH", Services.ApiErrors.ReasonOf(e));
        AssertNothingWritten(harness, codebase.Id);
    }

    [Fact]
    public async Task UploadFiles_OverlongName_InvalidArgumentAndNothingWritten()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.UploadAsync(codebase.Id, new string('a', 256), [1]));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        AssertNothingWritten(harness, codebase.Id);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(2)]
    public async Task UploadFiles_TotalSizeMismatch_InvalidArgumentAndNothingWritten(long totalSize)
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.UploadAsync(codebase.Id, "a.txt", [1, 2, 3, 4], totalSize));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("UPLOAD_SIZE_MISMATCH", Services.ApiErrors.ReasonOf(e));
        AssertNothingWritten(harness, codebase.Id);
    }

    [Fact]
    public async Task UnknownCodebase_NotFound()
    {
        await using var harness = await ServerHarness.StartAsync();
        const string id = "cb_0000000000000000";
        var get = await Assert.ThrowsAsync<RpcException>(() => harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = id }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var upload = await Assert.ThrowsAsync<RpcException>(() => harness.UploadAsync(id, "a.txt", [1]));
        Assert.Equal(StatusCode.NotFound, upload.StatusCode);
        var list = await Assert.ThrowsAsync<RpcException>(() => harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = "../x" }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, list.StatusCode);
        var (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task RestRoutes_CodebaseCrud_ProtoJsonShapes()
    {
        await using var harness = await ServerHarness.StartAsync();
        var (status, created) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/codebases", new { name = "demo", owner_id = "alice" });
        Assert.Equal(HttpStatusCode.OK, status);
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith("cb_", id, StringComparison.Ordinal);
        Assert.Equal("alice", created.GetProperty("ownerId").GetString());
        Assert.True(created.TryGetProperty("createdAt", out _));
        await harness.UploadAsync(id, "src/app.py", Encoding.UTF8.GetBytes("print('hi')\n"));

        (status, var got) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, got.GetProperty("fileCount").GetInt32());
        // int64 is a JSON string in the proto3 mapping.
        Assert.Equal("12", got.GetProperty("size").GetString());

        (status, var listed) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/codebases?ownerId=alice");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, Assert.Single(listed.GetProperty("codebases").EnumerateArray()).GetProperty("id").GetString());
        (_, listed) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/codebases?ownerId=bob");
        Assert.True(!listed.TryGetProperty("codebases", out var none) || none.GetArrayLength() == 0);

        (status, var files) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}/files?recursive=true");
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = files.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["src", "src/app.py"], entries.Select(e => e.GetProperty("path").GetString()));
        Assert.True(entries[0].GetProperty("isDir").GetBoolean());

        (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}/files?path=../etc");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        // curl -d '{...}' sends form-urlencoded; the body is read as JSON anyway (as the original gateway does).
        using (var form = new StringContent("{\"name\":\"curl\"}", Encoding.UTF8, "application/x-www-form-urlencoded"))
        using (var response = await harness.Http.PostAsync("/v1/codebases", form, Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"name\":\"curl\"", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        (status, _) = await harness.SendJsonAsync(HttpMethod.Delete, $"/v1/codebases/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "codebases", id)));
        (status, _) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task ListCodebases_Pages_WithNextPageToken()
    {
        await using var harness = await ServerHarness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = $"c{i}", OwnerId = "alice" }, cancellationToken: Token)).Id);
        var first = await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest { OwnerId = "alice", PageSize = 2 }, cancellationToken: Token);
        Assert.Equal(2, first.Codebases.Count);
        Assert.NotEmpty(first.NextPageToken);
        var second = await harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest { OwnerId = "alice", PageSize = 2, PageToken = first.NextPageToken }, cancellationToken: Token);
        Assert.Single(second.Codebases);
        Assert.Empty(second.NextPageToken);
        Assert.Equal(ids.Order(), first.Codebases.Concat(second.Codebases).Select(c => c.Id).Order());
        var e = await Assert.ThrowsAsync<RpcException>(() => harness.Codebases.ListCodebasesAsync(new ListCodebasesRequest { PageToken = "x" }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static void AssertNothingWritten(ServerHarness harness, string codebaseId)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(harness.DataDirectory, "codebases", codebaseId)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(harness.DataDirectory, "tmp")));
        Assert.False(File.Exists(Path.Combine(harness.DataDirectory, "codebases", "escape.txt")));
    }
}
