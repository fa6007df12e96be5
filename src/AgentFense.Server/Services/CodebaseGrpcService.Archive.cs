using AgentFense.Api.V1;
using AgentFense.Server.Codebases;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// UploadArchive: a tar stream (gzip when it starts with its magic) received into a spool file, unpacked
/// and checked in a staging directory under the data directory, then moved into the codebase. A refused
/// archive leaves the codebase as it was: nothing is visible before every entry passed.
/// </summary>
internal sealed partial class CodebaseGrpcService
{
    public override async Task<UploadTreeResult> UploadArchive(IAsyncStreamReader<ArchiveChunk> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token) || requestStream.Current.ContentCase != ArchiveChunk.ContentOneofCase.Metadata)
            throw Invalid("an archive upload starts with a metadata chunk");
        var meta = requestStream.Current.Metadata;
        Writable(meta.CodebaseId);
        var prefix = meta.Path.Trim('/');
        if (!CodebasePaths.TryValidate(prefix, allowRoot: true, out var segments, out var error))
            throw Invalid(error, ApiErrors.InvalidPath);

        await using var spool = store.CreateArchiveSpool();
        await ReceiveArchiveAsync(requestStream, spool, token);
        spool.Position = 0;
        var staging = store.CreateStagingDirectory();
        try
        {
            var staged = await new ArchiveUnpacker(staging, string.Join('/', segments), options.MaxArchiveBytes).UnpackAsync(spool, token);
            store.PlaceArchive(meta.CodebaseId, segments, staging);
            var response = new UploadTreeResult
            {
                CodebaseId = meta.CodebaseId,
                DirectoryCount = staged.DirectoryCount,
                SymlinkCount = staged.SymlinkCount,
                TotalBytes = staged.TotalBytes,
            };
            response.Files.AddRange(staged.Files.OrderBy(f => f.FilePath, StringComparer.Ordinal).Select(f =>
            {
                f.CodebaseId = meta.CodebaseId;
                return f;
            }));
            return response;
        }
        catch (ArchiveException e)
        {
            throw e.Problem switch
            {
                ArchiveProblem.InvalidPath => Invalid($"archive refused, nothing written: {e.Message}", ApiErrors.InvalidPath),
                ArchiveProblem.TooLarge => ApiErrors.Create(StatusCode.ResourceExhausted, ApiErrors.ArchiveTooLarge, $"archive refused, nothing written: {e.Message}"),
                _ => Invalid($"archive refused, nothing written: {e.Message}", ApiErrors.InvalidArchive),
            };
        }
        catch (DirectoryNotFoundException e) when (!Directory.Exists(store.PathOf(meta.CodebaseId)))
        {
            throw NotFound(e.Message, ApiErrors.CodebaseNotFound);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Writes the data chunks into <paramref name="spool"/>, refusing more than <see cref="ServerOptions.MaxArchiveBytes"/>.</summary>
    private async Task ReceiveArchiveAsync(IAsyncStreamReader<ArchiveChunk> requestStream, FileStream spool, CancellationToken token)
    {
        long received = 0;
        while (await requestStream.MoveNext(token))
        {
            var chunk = requestStream.Current;
            if (chunk.ContentCase != ArchiveChunk.ContentOneofCase.Data)
                throw Invalid("an archive upload has one metadata chunk, then data chunks");
            received += chunk.Data.Length;
            if (received > options.MaxArchiveBytes)
                throw ApiErrors.Create(StatusCode.ResourceExhausted, ApiErrors.ArchiveTooLarge,
                    $"archive refused, nothing written: it is larger than {options.MaxArchiveBytes} bytes");
            await spool.WriteAsync(chunk.Data.Memory, token);
        }
        await spool.FlushAsync(token);
    }
}
