using System.Security.Cryptography;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;
using static AgentFense.Server.Tests.CodebaseCalls;

namespace AgentFense.Server.Tests;

/// <summary>UploadTree (many files in one stream) and the codebase totals after uploads, overwrites and commits.</summary>
public sealed class CodebaseTreeUploadTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task UploadTree_ManyFiles_AllInPlaceWithChecksums_TotalsCurrentAfterOverwrite()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        var big = new byte[300_000];
        new Random(11).NextBytes(big);
        var result = await UploadTreeAsync(harness, codebase.Id,
            new TreeFile("README.md", Text("# tree\n")),
            new TreeFile("src/data.bin", big),
            new TreeFile("src/deep/nested/c.txt", Text("c\n")),
            new TreeFile("empty.txt", []));

        Assert.Equal(codebase.Id, result.CodebaseId);
        Assert.Equal(["README.md", "src/data.bin", "src/deep/nested/c.txt", "empty.txt"], result.Files.Select(f => f.FilePath));
        Assert.Equal([Sha(Text("# tree\n")), Sha(big), Sha(Text("c\n")), Sha([])], result.Files.Select(f => f.Checksum));
        Assert.Equal(7 + big.Length + 2, result.TotalBytes);
        Assert.Equal(3, result.DirectoryCount); // src, src/deep, src/deep/nested
        Assert.Equal(big, await DownloadAsync(harness, codebase.Id, "src/data.bin"));
        Assert.Equal(["README.md", "empty.txt", "src", "src/data.bin", "src/deep", "src/deep/nested", "src/deep/nested/c.txt"], await ListAsync(harness, codebase.Id));
        var got = await GetAsync(harness, codebase.Id);
        Assert.Equal((4, 7L + big.Length + 2), (got.FileCount, got.Size));

        // An overwrite changes the size only; a new file adds one; the same path twice in one stream: the last wins.
        var again = await UploadTreeAsync(harness, codebase.Id,
            new TreeFile("src/data.bin", [1, 2, 3]),
            new TreeFile("added.txt", Text("added\n")),
            new TreeFile("added.txt", Text("added twice\n")));
        Assert.Equal(0, again.DirectoryCount);
        got = await GetAsync(harness, codebase.Id);
        var tree = Path.Combine(harness.DataDirectory, "codebases", codebase.Id);
        Assert.Equal(Walk(tree), (got.Size, got.FileCount));
        Assert.Equal((5, 7L + 3 + 2 + 12), (got.FileCount, got.Size));
        Assert.Equal("added twice\n", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "added.txt")));
        Assert.Empty(Leftovers(harness));
    }

    public static TheoryData<string> BadPaths => new()
    {
        "../escape.txt",
        "/tmp/agentfense-absolute-escape.txt",
        "a/../../escape.txt",
        "a\0b",
        "a//b",
        new string('n', 256),
    };

    [Theory]
    [MemberData(nameof(BadPaths))]
    public async Task UploadTree_BadPathMidStream_InvalidArgument_EarlierFileStays_NothingOfTheRest(string bad)
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        var e = await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadTreeAsync(harness, codebase.Id,
            new TreeFile("first.txt", Text("first\n")),
            new TreeFile(bad, Text("evil\n")),
            new TreeFile("third.txt", Text("third\n"))));
        Assert.Contains("1 earlier file", e.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(["first.txt"], await ListAsync(harness, codebase.Id));
        Assert.False(File.Exists(Path.Combine(harness.DataDirectory, "codebases", "escape.txt")));
        Assert.False(File.Exists("/tmp/agentfense-absolute-escape.txt"));
        var got = await GetAsync(harness, codebase.Id);
        Assert.Equal((1, 6L), (got.FileCount, got.Size));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    public async Task UploadTree_SizeMismatch_Refused_FileNotWritten()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        // Fewer bytes than announced, then the next file begins.
        await AssertStatusAsync(StatusCode.InvalidArgument, "UPLOAD_SIZE_MISMATCH", () => UploadTreeAsync(harness, codebase.Id,
            new TreeFile("short.txt", Text("12345"), TotalSize: 10),
            new TreeFile("next.txt", Text("next\n"))));
        // More bytes than announced.
        await AssertStatusAsync(StatusCode.InvalidArgument, "UPLOAD_SIZE_MISMATCH", () => UploadTreeAsync(harness, codebase.Id,
            new TreeFile("long.txt", Text("1234567890"), TotalSize: 4)));
        // Fewer bytes at the end of the stream.
        await AssertStatusAsync(StatusCode.InvalidArgument, "UPLOAD_SIZE_MISMATCH", () => UploadTreeAsync(harness, codebase.Id,
            new TreeFile("ok.txt", Text("ok\n")),
            new TreeFile("last.txt", Text("12"), TotalSize: 3)));
        Assert.Equal(["ok.txt"], await ListAsync(harness, codebase.Id));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    public async Task UploadTree_BadStreams_InvalidArgument()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        var other = await CreateAsync(harness, "other");

        // One stream goes into one codebase.
        using (var call = harness.Codebases.UploadTree(cancellationToken: Token))
        {
            await call.RequestStream.WriteAsync(new UploadChunk { Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebase.Id, FilePath = "a.txt", TotalSize = 0 } }, Token);
            await call.RequestStream.WriteAsync(new UploadChunk { Metadata = new UploadChunk.Types.Metadata { CodebaseId = other.Id, FilePath = "b.txt", TotalSize = 0 } }, Token);
            await call.RequestStream.CompleteAsync();
            await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => call.ResponseAsync);
        }
        Assert.Empty(await ListAsync(harness, other.Id));

        // Data before any metadata.
        using (var call = harness.Codebases.UploadTree(cancellationToken: Token))
        {
            await call.RequestStream.WriteAsync(new UploadChunk { Data = Google.Protobuf.ByteString.CopyFromUtf8("x") }, Token);
            await call.RequestStream.CompleteAsync();
            await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => call.ResponseAsync);
        }

        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND",
            () => UploadTreeAsync(harness, "cb_0000000000000000", new TreeFile("a.txt", Text("a"))));
        // A file where the tree has a directory.
        await UploadTreeAsync(harness, codebase.Id, new TreeFile("dir/inner.txt", Text("inner")));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadTreeAsync(harness, codebase.Id, new TreeFile("dir", Text("x"))));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadTreeAsync(harness, codebase.Id, new TreeFile("dir/inner.txt/below", Text("x"))));
        Assert.Equal("inner", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "dir/inner.txt")));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Totals_AfterUploadsOverwritesAndCommit_MatchAWalkOfTheTree()
    {
        Requires.Bwrap();
        Requires.Fuse();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var codebase = await CreateAsync(harness);
        var tree = Path.Combine(harness.DataDirectory, "codebases", codebase.Id);
        async Task AssertTotalsAsync()
        {
            var got = await GetAsync(harness, codebase.Id);
            Assert.Equal(Walk(tree), (got.Size, got.FileCount));
        }

        await harness.UploadAsync(codebase.Id, "keep.txt", Text("keep\n"));
        await UploadTreeAsync(harness, codebase.Id, new TreeFile("src/a.txt", Text("aaaa\n")), new TreeFile("src/b.txt", Text("b\n")), new TreeFile("gone/x.txt", Text("xx\n")));
        await harness.UploadAsync(codebase.Id, "src/a.txt", Text("a\n"));
        await AssertTotalsAsync();

        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        try
        {
            var run = await harness.Sandboxes.ExecAsync(new ExecRequest
            {
                SandboxId = sandbox.Id,
                Command = "printf 'grown much longer\\n' > src/a.txt && rm -r gone && mkdir -p new/deep && printf '12345' > new/deep/n.txt && ln -s ../keep.txt new/link && rm src/b.txt",
            }, cancellationToken: Token);
            Assert.Equal(0, run.ExitCode);
            var commit = await harness.Sandboxes.CommitSandboxChangesAsync(new CommitSandboxChangesRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
            Assert.Empty(commit.Conflicts);
            Assert.True(File.Exists(Path.Combine(tree, "new", "deep", "n.txt")));
            await AssertTotalsAsync();
            var got = await GetAsync(harness, codebase.Id);
            // keep.txt, src/a.txt, new/deep/n.txt, new/link.
            Assert.Equal((4, 5L + 18 + 5), (got.FileCount, got.Size));
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);
        }
    }
}
