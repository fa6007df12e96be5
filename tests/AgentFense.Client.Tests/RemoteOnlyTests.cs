using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using WireStatus = AgentFense.Api.V1.SandboxStatus;

namespace AgentFense.Client.Tests;

/// <summary>What only the wire has: the low-level client, uploads, batches, connection errors, retries.</summary>
public sealed class RemoteOnlyTests(RemoteMode mode) : IClassFixture<RemoteMode>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<SandboxClient> ClientAsync()
    {
        Requires.Fuse();
        Requires.Bwrap();
        await mode.OptionsAsync();
        return mode.NewClient();
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Upload_HonoursIgnoreFiles_NeverSendsWhatThePolicyHides_ReportsProgress()
    {
        using var project = new TestProject();
        var progress = new List<UploadProgress>();
        var options = await mode.OptionsAsync(new SandboxOptions { Preset = Presets.AgentSafe, UploadProgress = new SyncProgress<UploadProgress>(progress.Add) });
        await using var sandbox = await Sandbox.FromLocalAsync(project.Path, options: options, cancellationToken: Token);
        using var client = mode.NewClient();

        var files = (await client.ListFilesAsync(sandbox.CodebaseId, recursive: true, cancellationToken: Token)).Files
            .Where(f => !f.IsDir).Select(f => f.Path.TrimStart('/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([".gitignore", "README.md", "docs/guide.md", "keep.log", "output/.gitkeep", "scripts/deploy.sh", "src/app.py"], files);
        Assert.NotEmpty(progress);
        Assert.Equal(files.Count, progress[^1].FilesTotal);
        Assert.Equal(progress[^1].FilesTotal, progress[^1].FilesDone);
        Assert.Equal(progress[^1].BytesTotal, progress[^1].BytesDone);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LowLevel_CodebaseCalls_UploadDownloadRoundTrip()
    {
        using var client = await ClientAsync();
        var codebase = await client.CreateCodebaseAsync("low-level", cancellationToken: Token);
        try
        {
            var content = Encoding.UTF8.GetBytes(new string('x', 200_000));
            var sent = new List<long>();
            var result = await client.UploadFileAsync(codebase.Id, "data/x.txt", new MemoryStream(content), progress: new SyncProgress<long>(sent.Add), cancellationToken: Token);
            Assert.Equal(content.Length, result.Size);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), result.Checksum);
            Assert.Equal(content.Length, sent[^1]);
            Assert.Equal(4, sent.Count);

            using var downloaded = new MemoryStream();
            Assert.Equal(content.Length, await client.DownloadFileAsync(codebase.Id, "data/x.txt", downloaded, Token));
            Assert.Equal(content, downloaded.ToArray());
            Assert.Equal(1, (await client.GetCodebaseAsync(codebase.Id, Token)).FileCount);
            Assert.Contains(await ToListAsync(client.ListAllCodebasesAsync(Token)), c => c.Id == codebase.Id);

            var tree = await client.UploadTreeAsync(codebase.Id, [UploadItem.FromBytes("a.txt", "a"u8.ToArray()), UploadItem.FromBytes("b/c.txt", "bc"u8.ToArray())], cancellationToken: Token);
            Assert.Equal(2, tree.Files.Count);
            Assert.Equal(3, tree.TotalBytes);
        }
        finally
        {
            await client.DeleteCodebaseAsync(codebase.Id, Token);
        }
        await Assert.ThrowsAsync<CodebaseNotFoundException>(() => client.GetCodebaseAsync(codebase.Id, Token));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LowLevel_Batches_CarryEachItemsSandboxOrError()
    {
        using var client = await ClientAsync();
        var codebase = await client.CreateCodebaseAsync("batch", cancellationToken: Token);
        await client.UploadTreeAsync(codebase.Id, [UploadItem.FromBytes("f.txt", "f"u8.ToArray())], cancellationToken: Token);
        var good = new CreateSandboxRequest { CodebaseId = codebase.Id };
        good.Labels["batch"] = "yes";
        var created = await client.BatchCreateSandboxesAsync([good, good, new CreateSandboxRequest { CodebaseId = "cb_missing" }], start: true, Token);
        Assert.Equal(3, created.Results.Count);
        Assert.Null(SandboxClient.ErrorOf(created.Results[0]));
        Assert.Equal(WireStatus.Running, created.Results[0].Sandbox.Status);
        Assert.IsType<CodebaseNotFoundException>(SandboxClient.ErrorOf(created.Results[2]));

        var ids = created.Results.Take(2).Select(r => r.Sandbox.Id).ToList();
        var labelled = await ToListAsync(client.ListAllSandboxesAsync(labelSelector: "batch=yes", cancellationToken: Token));
        Assert.Equal(ids.Order(), labelled.Select(s => s.Id).Order());

        var destroyed = await client.BatchDestroySandboxesAsync([.. ids, "sb_missing"], Token);
        Assert.Null(SandboxClient.ErrorOf(destroyed.Results[0]));
        Assert.IsType<SandboxNotFoundException>(SandboxClient.ErrorOf(destroyed.Results[2]));
        await client.DeleteCodebaseAsync(codebase.Id, Token);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task LowLevel_ExecInteractive_StreamsStdinInAndOutputOut()
    {
        using var client = await ClientAsync();
        using var project = new TestProject();
        await using var sandbox = await Sandbox.FromLocalAsync(project.Path, options: await mode.OptionsAsync(), cancellationToken: Token);

        await using var command = await client.ExecInteractiveAsync(new ExecRequest { SandboxId = sandbox.Id, Command = "while read line; do echo \"got $line\"; done; exit 5" }, Token);
        await command.WriteStdinAsync("one\n"u8.ToArray());
        await command.WriteStdinAsync("two\n"u8.ToArray());
        await command.CloseStdinAsync();
        var stdout = new StringBuilder();
        ExecExit? exit = null;
        await foreach (var output in command.ReadOutputAsync(Token))
        {
            if (output.Exit is not null)
                exit = output.Exit;
            else
                stdout.Append(output.Data.ToStringUtf8());
        }
        Assert.Equal("got one\ngot two\n", stdout.ToString());
        Assert.Equal(5, exit?.ExitCode);
    }

    [Fact]
    public async Task Connection_Refused_IsConnectionException_AfterRetryingReadsOnly()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        // Accepts and drops every connection: the channel sees UNAVAILABLE.
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var socket = await listener.AcceptSocketAsync(stop.Token);
                    Interlocked.Increment(ref accepted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, Token);
        using var client = new SandboxClient(new SandboxClientOptions { Endpoint = $"127.0.0.1:{port}", MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(50) });

        var read = await Assert.ThrowsAsync<ConnectionException>(() => client.GetSandboxAsync("sb_x", Token));
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, read.StatusCode);
        var afterRead = Volatile.Read(ref accepted);
        await Assert.ThrowsAsync<ConnectionException>(() => client.CreateCodebaseAsync("x", cancellationToken: Token));
        var afterWrite = Volatile.Read(ref accepted) - afterRead;
        Assert.True(afterRead >= 4, $"a read is tried 1 + MaxRetries times (saw {afterRead} connections)");
        Assert.True(afterWrite < afterRead, $"a write is not retried ({afterWrite} connections against {afterRead})");
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
    }

    [Fact]
    public async Task Endpoint_FromOptionsOrEnvironment_BadOneIsInvalidConfiguration()
    {
        Assert.Equal(new Uri("http://h:9000/"), new SandboxClientOptions { Endpoint = "h:9000" }.ResolveEndpoint());
        Assert.Equal(new Uri("https://h:443/"), new SandboxClientOptions { Endpoint = "https://h:443" }.ResolveEndpoint());
        var bad = Assert.Throws<InvalidConfigurationException>(() => new SandboxClientOptions { Endpoint = "ftp://h" }.ResolveEndpoint());
        Assert.Contains("ftp://h", bad.Message, StringComparison.Ordinal);
        Assert.Equal("key", new SandboxClientOptions { ApiKey = "key" }.ResolveApiKey());
        await Task.CompletedTask;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }
}

/// <summary>An IProgress that reports on the caller's thread (Progress&lt;T&gt; posts, so the last report may come late).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value)
    {
        lock (this)
            report(value);
    }
}

/// <summary>The codebase additions through the low-level client: archives and directories registered in place.</summary>
public sealed class CodebaseAdditionsTests(RemoteMode mode) : IClassFixture<RemoteMode>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task UploadArchive_UnpacksTheTree_ABadArchiveIsInvalidArgument()
    {
        Requires.Fuse();
        Requires.Bwrap();
        await mode.OptionsAsync();
        using var client = mode.NewClient();
        var codebase = await client.CreateCodebaseAsync("archive", cancellationToken: Token);
        try
        {
            using var tar = new MemoryStream();
            using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
            {
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "pkg/run.sh")
                {
                    DataStream = new MemoryStream("echo packed\n"u8.ToArray()),
                    Mode = (UnixFileMode)0x1ED,
                };
                await writer.WriteEntryAsync(entry, Token);
            }
            tar.Position = 0;
            var sent = new List<long>();
            var result = await client.UploadArchiveAsync(codebase.Id, tar, "", new SyncProgress<long>(sent.Add), Token);
            Assert.Contains(result.Files, f => f.FilePath.TrimStart('/') == "pkg/run.sh");
            Assert.Equal(tar.Length, sent[^1]);

            var bad = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
                client.UploadArchiveAsync(codebase.Id, new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 2000))), cancellationToken: Token));
            Assert.Equal("INVALID_ARCHIVE", bad.Reason);

            await using var sandbox = await Sandbox.FromCodebaseAsync(codebase.Id, await mode.OptionsAsync(new SandboxOptions { Preset = Presets.FullAccess }), cancellationToken: Token);
            Assert.Equal("packed\n", (await sandbox.RunAsync("./pkg/run.sh", cancellationToken: Token)).Stdout);
        }
        finally
        {
            await client.DeleteCodebaseAsync(codebase.Id, Token);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Register_InPlace_IsReadOnly_OutsideTheAllowedDirectoriesNotAllowed()
    {
        Requires.Fuse();
        Requires.Bwrap();
        var options = await mode.OptionsAsync(new SandboxOptions { Preset = Presets.FullAccess });
        using var client = mode.NewClient();
        var directory = mode.RegisterRoot.CreateDirectory("project-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(Path.Combine(directory, "main.txt"), "in place\n");
        File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(mode.RegisterRoot.Path, (UnixFileMode)0x1ED);

        var codebase = await client.RegisterCodebaseAsync("in-place", directory, cancellationToken: Token);
        Assert.True(codebase.ReadOnly);
        await using (var sandbox = await Sandbox.FromCodebaseAsync(codebase.Id, options, cancellationToken: Token))
        {
            Assert.Equal("in place\n", await sandbox.ReadAllTextAsync("main.txt", Token));
            await sandbox.WriteFileAsync("new.txt", "x", Token);
            var e = await Assert.ThrowsAsync<CodebaseReadOnlyException>(() => sandbox.CommitAsync(Token));
            Assert.Equal("CODEBASE_READ_ONLY", e.Reason);
        }
        Assert.False(File.Exists(Path.Combine(directory, "new.txt")));
        await client.DeleteCodebaseAsync(codebase.Id, Token);
        Assert.True(File.Exists(Path.Combine(directory, "main.txt")));

        var outside = await Assert.ThrowsAsync<OperationNotAllowedException>(() => client.RegisterCodebaseAsync("etc", "/etc", cancellationToken: Token));
        Assert.Equal("REGISTER_NOT_ALLOWED", outside.Reason);
    }
}
