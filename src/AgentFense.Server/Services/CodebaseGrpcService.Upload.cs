using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Server.Codebases;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>UploadFiles (one file per stream) and UploadTree (many files per stream) share the receiving of one file.</summary>
internal sealed partial class CodebaseGrpcService
{
    public override async Task<UploadResult> UploadFiles(IAsyncStreamReader<UploadChunk> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token) || requestStream.Current.ContentCase != UploadChunk.ContentOneofCase.Metadata)
            throw Invalid("an upload starts with a metadata chunk");
        var meta = requestStream.Current.Metadata;
        Writable(meta.CodebaseId);
        var (result, _, _) = await ReceiveFileAsync(meta, requestStream, nextFileAllowed: false, token);
        return result;
    }

    /// <summary>
    /// Receives the data chunks of the file <paramref name="meta"/> announced (checked first: path, size),
    /// writes them to a temporary file and renames it into place once all <c>total_size</c> bytes came. Stops
    /// at the end of the stream or, when <paramref name="nextFileAllowed"/>, at the next metadata chunk (then
    /// the stream's current chunk is that metadata and <c>More</c> is true).
    /// </summary>
    private async Task<(UploadResult Result, int DirectoriesCreated, bool More)> ReceiveFileAsync(UploadChunk.Types.Metadata meta,
        IAsyncStreamReader<UploadChunk> requestStream, bool nextFileAllowed, CancellationToken token)
    {
        if (!CodebasePaths.TryValidate(meta.FilePath, allowRoot: false, out var segments, out var error))
            throw Invalid(error, ApiErrors.InvalidPath);
        if (meta.TotalSize < 0)
            throw Invalid($"total_size of '{meta.FilePath}' may not be negative");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var temp = store.CreateUploadFile();
        var tempPath = temp.Name;
        long received = 0;
        var more = false;
        try
        {
            await using (temp)
            {
                while (await requestStream.MoveNext(token))
                {
                    var chunk = requestStream.Current;
                    if (chunk.ContentCase != UploadChunk.ContentOneofCase.Data)
                    {
                        if (!nextFileAllowed || chunk.ContentCase != UploadChunk.ContentOneofCase.Metadata)
                            throw Invalid("an upload has one metadata chunk, then data chunks");
                        more = true;
                        break;
                    }
                    received += chunk.Data.Length;
                    if (received > meta.TotalSize)
                        throw Invalid($"received more than total_size ({meta.TotalSize}) bytes for '{meta.FilePath}'", ApiErrors.UploadSizeMismatch);
                    hash.AppendData(chunk.Data.Span);
                    await temp.WriteAsync(chunk.Data.Memory, token);
                }
                await temp.FlushAsync(token);
            }
            if (received != meta.TotalSize)
                throw Invalid($"received {received} bytes for '{meta.FilePath}', total_size says {meta.TotalSize}", ApiErrors.UploadSizeMismatch);
            var created = Commit(meta.CodebaseId, tempPath, segments);
            var result = new UploadResult { CodebaseId = meta.CodebaseId, FilePath = meta.FilePath, Size = received, Checksum = CodebaseStore.Sha256Hex(hash) };
            return (result, created, more);
        }
        finally
        {
            if (File.Exists(tempPath))
                File.Delete(tempPath);
        }
    }

    private int Commit(string codebaseId, string tempPath, string[] segments)
    {
        try
        {
            return store.CommitUpload(codebaseId, tempPath, segments);
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(e.Message, ApiErrors.InvalidPath);
        }
        catch (DirectoryNotFoundException e)
        {
            throw NotFound(e.Message, ApiErrors.CodebaseNotFound);
        }
    }
}
