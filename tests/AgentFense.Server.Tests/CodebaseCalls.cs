using System.Diagnostics;
using AgentFense.Api.V1;
using Google.Protobuf;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>The tree, archive and register calls of CodebaseService as a client makes them, and what their tests check.</summary>
internal static class CodebaseCalls
{
    private static CancellationToken Token => ServerHarness.Token;

    /// <summary>One file of a tree upload; <c>TotalSize</c> null: the content's length.</summary>
    public sealed record TreeFile(string Path, byte[] Content, long? TotalSize = null);

    /// <summary>Sends <paramref name="files"/> as one UploadTree stream, 64 KiB data chunks.</summary>
    public static async Task<UploadTreeResult> UploadTreeAsync(ServerHarness harness, string codebaseId, params TreeFile[] files)
    {
        using var call = harness.Codebases.UploadTree(cancellationToken: Token);
        try
        {
            foreach (var file in files)
            {
                await call.RequestStream.WriteAsync(new UploadChunk
                {
                    Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = file.Path, TotalSize = file.TotalSize ?? file.Content.Length },
                }, Token);
                for (var offset = 0; offset < file.Content.Length; offset += 64 * 1024)
                {
                    var chunk = ByteString.CopyFrom(file.Content, offset, Math.Min(64 * 1024, file.Content.Length - offset));
                    await call.RequestStream.WriteAsync(new UploadChunk { Data = chunk }, Token);
                }
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server failed the call while we were sending: its status comes with the response below.
        }
        catch (InvalidOperationException)
        {
        }
        return await call;
    }

    /// <summary>
    /// One UploadFiles stream, tolerant of the server ending the call early (a refused upload): the status is
    /// the response's, not whatever a late write saw.
    /// </summary>
    public static async Task<UploadResult> UploadFileAsync(ServerHarness harness, string codebaseId, string path, byte[] content)
    {
        using var call = harness.Codebases.UploadFiles(cancellationToken: Token);
        try
        {
            await call.RequestStream.WriteAsync(new UploadChunk
            {
                Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = path, TotalSize = content.Length },
            }, Token);
            await call.RequestStream.WriteAsync(new UploadChunk { Data = ByteString.CopyFrom(content) }, Token);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        return await call;
    }

    /// <summary>Sends <paramref name="archive"/> as one UploadArchive stream under <paramref name="path"/>.</summary>
    public static async Task<UploadTreeResult> UploadArchiveAsync(ServerHarness harness, string codebaseId, byte[] archive, string path = "")
    {
        using var call = harness.Codebases.UploadArchive(cancellationToken: Token);
        try
        {
            await call.RequestStream.WriteAsync(new ArchiveChunk { Metadata = new ArchiveChunk.Types.Metadata { CodebaseId = codebaseId, Path = path } }, Token);
            for (var offset = 0; offset < archive.Length; offset += 64 * 1024)
                await call.RequestStream.WriteAsync(new ArchiveChunk { Data = ByteString.CopyFrom(archive, offset, Math.Min(64 * 1024, archive.Length - offset)) }, Token);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        return await call;
    }

    public static Task<Codebase> CreateAsync(ServerHarness harness, string name = "demo") =>
        harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = name }, cancellationToken: Token).ResponseAsync;

    public static Task<Codebase> GetAsync(ServerHarness harness, string id) =>
        harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = id }, cancellationToken: Token).ResponseAsync;

    public static async Task<byte[]> DownloadAsync(ServerHarness harness, string id, string path)
    {
        using var call = harness.Codebases.DownloadFile(new DownloadFileRequest { CodebaseId = id, FilePath = path }, cancellationToken: Token);
        var received = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(Token))
            chunk.Data.WriteTo(received);
        return received.ToArray();
    }

    public static async Task<List<string>> ListAsync(ServerHarness harness, string id) =>
        [.. (await harness.Codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = id, Recursive = true }, cancellationToken: Token)).Files.Select(f => f.Path)];

    public static async Task<RpcException> AssertStatusAsync(StatusCode expected, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
        Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
        return e;
    }

    /// <summary>Size and count of <paramref name="directory"/> walked independently of the server: non-directories counted, regular files' bytes summed, links never followed.</summary>
    public static (long Size, int Count) Walk(string directory)
    {
        long size = 0;
        var count = 0;
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
                count++;
            else if (entry is DirectoryInfo sub)
            {
                var (s, c) = Walk(sub.FullName);
                size += s;
                count += c;
            }
            else
            {
                size += ((System.IO.FileInfo)entry).Length;
                count++;
            }
        }
        return (size, count);
    }

    /// <summary>The temporary uploads, spools and staging directories left in the data directory (none after any call).</summary>
    public static string[] Leftovers(ServerHarness harness) => Directory.GetFileSystemEntries(Path.Combine(harness.DataDirectory, "tmp"));

    /// <summary>Runs a program to completion and fails the test when it fails.</summary>
    public static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
    }
}
