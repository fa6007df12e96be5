using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;
using static AgentFense.Server.Tests.CodebaseCalls;

namespace AgentFense.Server.Tests;

/// <summary>UploadArchive with archives made by GNU tar and by .NET's TarWriter, and malicious ones.</summary>
public sealed class CodebaseArchiveTests
{
    private const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static string Tree(ServerHarness harness, string id) => Path.Combine(harness.DataDirectory, "codebases", id);

    /// <summary>A source tree with a script, a nested file, a relative link, a link to a directory and a hard link.</summary>
    private static TempDirectory SourceTree()
    {
        var source = new TempDirectory("agentfense-archive-src-");
        source.WriteFile("README.md", "# archived\n");
        var script = source.WriteFile("bin/run.sh", "#!/bin/sh\necho run\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1ED);
        source.WriteFile("src/lib/util.txt", "util\n");
        source.CreateDirectory("empty-dir");
        File.CreateSymbolicLink(source["src/readme-link"], "../README.md");
        File.CreateSymbolicLink(source["lib"], "src/lib");
        Run("ln", source["src/lib/util.txt"], source["util-hard.txt"]);
        return source;
    }

    private static async Task AssertSourceUnpackedAsync(ServerHarness harness, string id, UploadTreeResult result, string under = "")
    {
        var root = Path.Combine(Tree(harness, id), under);
        Assert.Equal("# archived\n", File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.NotEqual(default, File.GetUnixFileMode(Path.Combine(root, "bin/run.sh")) & Executable);
        Assert.Equal(default, File.GetUnixFileMode(Path.Combine(root, "README.md")) & Executable);
        Assert.Equal("../README.md", new System.IO.FileInfo(Path.Combine(root, "src/readme-link")).LinkTarget);
        Assert.Equal("src/lib", new System.IO.FileInfo(Path.Combine(root, "lib")).LinkTarget);
        Assert.Equal("util\n", File.ReadAllText(Path.Combine(root, "util-hard.txt")));
        Assert.True(Directory.Exists(Path.Combine(root, "empty-dir")));
        Assert.Equal(2, result.SymlinkCount);
        var prefix = under.Length == 0 ? "" : under + "/";
        Assert.Equal(new[] { "README.md", "bin/run.sh", "src/lib/util.txt", "util-hard.txt" }.Select(p => prefix + p).Order(StringComparer.Ordinal),
            result.Files.Select(f => f.FilePath));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Text("util\n"))), result.Files.Single(f => f.FilePath == prefix + "util-hard.txt").Checksum);
        Assert.Equal(11 + 19 + 5 + 5, result.TotalBytes);
        var got = await GetAsync(harness, id);
        Assert.Equal(Walk(Tree(harness, id)), (got.Size, got.FileCount));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    public async Task GnuTarGzip_FilesDirectoriesLinksHardLinkAndExecutableBit_Unpacked()
    {
        Requires.Program("tar");
        Requires.Program("gzip");
        using var source = SourceTree();
        using var work = new TempDirectory();
        var archive = work["tree.tar.gz"];
        Run("tar", "-C", source.Path, "-czf", archive, ".");
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);

        var result = await UploadArchiveAsync(harness, codebase.Id, File.ReadAllBytes(archive));
        await AssertSourceUnpackedAsync(harness, codebase.Id, result);
        Assert.Equal(4, result.DirectoryCount); // bin, src, src/lib, empty-dir ("./" is the root itself)
        Assert.Equal("#!/bin/sh\necho run\n", Encoding.UTF8.GetString(await DownloadAsync(harness, codebase.Id, "bin/run.sh")));
    }

    [Fact]
    public async Task GnuTarPlain_UnderADirectory_UnpackedThere_AndAgainOverItself()
    {
        Requires.Program("tar");
        using var source = SourceTree();
        using var work = new TempDirectory();
        var archive = work["tree.tar"];
        Run("tar", "-C", source.Path, "-cf", archive, "README.md", "bin", "src", "lib", "util-hard.txt", "empty-dir");
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await harness.UploadAsync(codebase.Id, "top.txt", Text("top\n"));

        var result = await UploadArchiveAsync(harness, codebase.Id, File.ReadAllBytes(archive), "vendor/pkg");
        await AssertSourceUnpackedAsync(harness, codebase.Id, result, "vendor/pkg");
        // The same archive again merges over itself: files replaced, links replaced, totals unchanged.
        var before = await GetAsync(harness, codebase.Id);
        result = await UploadArchiveAsync(harness, codebase.Id, File.ReadAllBytes(archive), "vendor/pkg");
        await AssertSourceUnpackedAsync(harness, codebase.Id, result, "vendor/pkg");
        var after = await GetAsync(harness, codebase.Id);
        Assert.Equal((before.Size, before.FileCount), (after.Size, after.FileCount));
        Assert.Equal("top\n", File.ReadAllText(Path.Combine(Tree(harness, codebase.Id), "top.txt")));
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    public async Task DotNetTarWriter_LongNamesHardLinksAndOverwrites_Unpacked(TarEntryFormat format)
    {
        var longDir = string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 5));
        var archive = Archive(format, writer =>
        {
            AddDir(writer, format, "pkg/");
            AddFile(writer, format, "pkg/main.py", "print('hi')\n", (UnixFileMode)0x1ED);
            AddFile(writer, format, $"{(format == TarEntryFormat.Ustar ? "short" : longDir)}/deep.txt", "deep\n");
            AddFile(writer, format, "pkg/data.txt", "first version\n");
            AddFile(writer, format, "pkg/data.txt", "second\n");
            AddLink(writer, format, TarEntryType.HardLink, "pkg/data-copy.txt", "pkg/data.txt");
        });
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await harness.UploadAsync(codebase.Id, "pkg/data.txt", Text("on the server before\n"));

        var result = await UploadArchiveAsync(harness, codebase.Id, archive);
        var root = Tree(harness, codebase.Id);
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(root, "pkg/data.txt")));
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(root, "pkg/data-copy.txt")));
        Assert.NotEqual(default, File.GetUnixFileMode(Path.Combine(root, "pkg/main.py")) & Executable);
        var deep = format == TarEntryFormat.Ustar ? "short/deep.txt" : $"{longDir}/deep.txt";
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(root, deep)));
        Assert.Equal(new[] { "pkg/data-copy.txt", "pkg/data.txt", "pkg/main.py", deep }.Order(StringComparer.Ordinal), result.Files.Select(f => f.FilePath));
        var got = await GetAsync(harness, codebase.Id);
        Assert.Equal(Walk(root), (got.Size, got.FileCount));
        Assert.Equal(4, got.FileCount);
    }

    public static TheoryData<string, string> Malicious => new()
    {
        { "dotdot", "INVALID_PATH" },
        { "absolute", "INVALID_PATH" },
        { "inner-dotdot", "INVALID_PATH" },
        { "absolute-link", "INVALID_PATH" },
        { "climbing-link", "INVALID_PATH" },
        { "link-through-link", "INVALID_PATH" },
        { "write-through-inside-link", "INVALID_PATH" },
        { "hardlink-outside", "INVALID_PATH" },
        { "fifo", "INVALID_ARCHIVE" },
        { "char-device", "INVALID_ARCHIVE" },
        { "file-then-dir", "INVALID_PATH" },
    };

    [Theory]
    [MemberData(nameof(Malicious))]
    public async Task MaliciousArchive_RefusedAsAWhole_NothingWrittenAnywhere(string kind, string reason)
    {
        var outside = $"/tmp/agentfense-escape-{Guid.NewGuid():N}";
        var archive = Archive(TarEntryFormat.Pax, writer =>
        {
            // Valid entries first: none of them may appear when a later one is refused.
            AddFile(writer, TarEntryFormat.Pax, "good/first.txt", "first\n");
            switch (kind)
            {
                case "dotdot": AddFile(writer, TarEntryFormat.Pax, "../escape.txt", "evil\n"); break;
                case "absolute": AddFile(writer, TarEntryFormat.Pax, outside, "evil\n"); break;
                case "inner-dotdot": AddFile(writer, TarEntryFormat.Pax, "good/../../escape.txt", "evil\n"); break;
                case "absolute-link":
                    AddLink(writer, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "out", "/tmp");
                    AddFile(writer, TarEntryFormat.Pax, $"out/{Path.GetFileName(outside)}", "evil\n");
                    break;
                case "climbing-link":
                    AddLink(writer, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "good/out", "../../..");
                    break;
                case "link-through-link":
                    // up points at the root (allowed); l would resolve up/.. above it.
                    AddLink(writer, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "a/b/up", "../..");
                    AddLink(writer, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "a/b/l", "up/../x");
                    break;
                case "write-through-inside-link":
                    AddLink(writer, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "good/here", ".");
                    AddFile(writer, TarEntryFormat.Pax, "good/here/second.txt", "through\n");
                    break;
                case "hardlink-outside": AddLink(writer, TarEntryFormat.Pax, TarEntryType.HardLink, "passwd", "/etc/passwd"); break;
                case "fifo": writer.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "pipe")); break;
                case "char-device": writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 }); break;
                case "file-then-dir":
                    AddFile(writer, TarEntryFormat.Pax, "clash", "file\n");
                    AddDir(writer, TarEntryFormat.Pax, "clash/");
                    break;
            }
            AddFile(writer, TarEntryFormat.Pax, "good/last.txt", "last\n");
        });
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await harness.UploadAsync(codebase.Id, "existing.txt", Text("existing\n"));

        var e = await AssertStatusAsync(StatusCode.InvalidArgument, reason, () => UploadArchiveAsync(harness, codebase.Id, archive));
        Assert.Contains("nothing written", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["existing.txt"], await ListAsync(harness, codebase.Id));
        Assert.False(File.Exists(outside));
        Assert.False(File.Exists(Path.Combine(harness.DataDirectory, "codebases", "escape.txt")));
        Assert.False(File.Exists(Path.Combine(harness.DataDirectory, "escape.txt")));
        var got = await GetAsync(harness, codebase.Id);
        Assert.Equal((1, 9L), (got.FileCount, got.Size));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    public async Task GnuTarAbsoluteNames_Refused()
    {
        Requires.Program("tar");
        using var source = new TempDirectory();
        source.WriteFile("victim.txt", "v\n");
        using var work = new TempDirectory();
        var archive = work["absolute.tar"];
        Run("tar", "-P", "-cf", archive, source["victim.txt"]);
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadArchiveAsync(harness, codebase.Id, File.ReadAllBytes(archive)));
        Assert.Empty(await ListAsync(harness, codebase.Id));
    }

    [Fact]
    public async Task ArchiveClashingWithTheTree_Refused_NothingMoved()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        await harness.UploadAsync(codebase.Id, "a", Text("a file\n"));
        var linkArchive = Archive(TarEntryFormat.Pax, w => AddLink(w, TarEntryFormat.Pax, TarEntryType.SymbolicLink, "inside", "."));
        await UploadArchiveAsync(harness, codebase.Id, linkArchive);

        // A directory where the tree has a file.
        var clash = Archive(TarEntryFormat.Pax, w =>
        {
            AddFile(w, TarEntryFormat.Pax, "new.txt", "new\n");
            AddFile(w, TarEntryFormat.Pax, "a/below.txt", "below\n");
        });
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadArchiveAsync(harness, codebase.Id, clash));
        // Entries under a link the tree already has (from an earlier archive): never written through it.
        var through = Archive(TarEntryFormat.Pax, w => AddFile(w, TarEntryFormat.Pax, "inside/via-link.txt", "x\n"));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadArchiveAsync(harness, codebase.Id, through));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadArchiveAsync(harness, codebase.Id,
            Archive(TarEntryFormat.Pax, w => AddFile(w, TarEntryFormat.Pax, "x.txt", "x\n")), "inside"));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_PATH", () => UploadArchiveAsync(harness, codebase.Id, clash, "../up"));
        Assert.Equal(["a", "inside"], await ListAsync(harness, codebase.Id));
        Assert.Empty(Leftovers(harness));
    }

    [Fact]
    public async Task NotATar_Truncated_TooLarge_Refused()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { MaxArchiveBytes = 200_000 });
        var codebase = await CreateAsync(harness);
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);
        noise[0] = 0x42; // not the gzip magic
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARCHIVE", () => UploadArchiveAsync(harness, codebase.Id, noise));

        var big = new byte[150_000];
        new Random(4).NextBytes(big);
        var valid = Archive(TarEntryFormat.Pax, w => AddFile(w, TarEntryFormat.Pax, "big.bin", big));
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARCHIVE", () => UploadArchiveAsync(harness, codebase.Id, valid[..100_000]));
        var gzipped = Gzip(valid);
        await AssertStatusAsync(StatusCode.InvalidArgument, "INVALID_ARCHIVE", () => UploadArchiveAsync(harness, codebase.Id, gzipped[..(gzipped.Length / 2)]));

        // Past the bound as sent, and past it only once unpacked (a small gzip of many zeros).
        var tooBig = Archive(TarEntryFormat.Pax, w => AddFile(w, TarEntryFormat.Pax, "big.bin", new byte[250_000]));
        await AssertStatusAsync(StatusCode.ResourceExhausted, "ARCHIVE_TOO_LARGE", () => UploadArchiveAsync(harness, codebase.Id, tooBig));
        var bomb = Gzip(Archive(TarEntryFormat.Pax, w =>
        {
            AddFile(w, TarEntryFormat.Pax, "z1.bin", new byte[150_000]);
            AddFile(w, TarEntryFormat.Pax, "z2.bin", new byte[150_000]);
        }));
        Assert.True(bomb.Length < 200_000);
        await AssertStatusAsync(StatusCode.ResourceExhausted, "ARCHIVE_TOO_LARGE", () => UploadArchiveAsync(harness, codebase.Id, bomb));
        Assert.Empty(await ListAsync(harness, codebase.Id));
        Assert.Empty(Leftovers(harness));

        // Within the bound it passes.
        var ok = await UploadArchiveAsync(harness, codebase.Id, Gzip(valid));
        Assert.Equal(big.Length, ok.TotalBytes);
        Assert.Equal(big, await DownloadAsync(harness, codebase.Id, "big.bin"));
    }

    [Fact]
    public async Task EmptyArchiveAndRest_Behave()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebase = await CreateAsync(harness);
        var empty = await UploadArchiveAsync(harness, codebase.Id, Archive(TarEntryFormat.Pax, _ => { }));
        Assert.Empty(empty.Files);
        Assert.Empty(await ListAsync(harness, codebase.Id));
        await AssertStatusAsync(StatusCode.NotFound, "CODEBASE_NOT_FOUND", () => UploadArchiveAsync(harness, "cb_0000000000000000", Archive(TarEntryFormat.Pax, _ => { })));
    }

    private static byte[] Archive(TarEntryFormat format, Action<TarWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
            write(writer);
        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return stream.ToArray();
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name) => format switch
    {
        TarEntryFormat.Gnu => new GnuTarEntry(type, name),
        TarEntryFormat.Ustar => new UstarTarEntry(type, name),
        _ => new PaxTarEntry(type, name),
    };

    private static void AddDir(TarWriter writer, TarEntryFormat format, string name) => writer.WriteEntry(Entry(format, TarEntryType.Directory, name));

    private static void AddFile(TarWriter writer, TarEntryFormat format, string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        AddFile(writer, format, name, Text(content), mode);

    private static void AddFile(TarWriter writer, TarEntryFormat format, string name, byte[] content, UnixFileMode mode = (UnixFileMode)0x1A4)
    {
        var entry = Entry(format, TarEntryType.RegularFile, name);
        entry.Mode = mode;
        entry.DataStream = new MemoryStream(content);
        writer.WriteEntry(entry);
    }

    private static void AddLink(TarWriter writer, TarEntryFormat format, TarEntryType type, string name, string target)
    {
        var entry = Entry(format, type, name);
        entry.LinkName = target;
        writer.WriteEntry(entry);
    }
}
