using AgentFense.Api.V1;
using AgentFense.Internal;
using Google.Protobuf;
using Grpc.Core;

namespace AgentFense;

public sealed partial class SandboxClient
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>UploadFiles: one file, from <paramref name="content"/> (read to its end), in 64 KiB chunks.</summary>
    /// <param name="codebaseId">The codebase.</param>
    /// <param name="path">Its path in the codebase.</param>
    /// <param name="content">The content; its length is sent first, so a seekable stream or <paramref name="size"/> is needed.</param>
    /// <param name="size">The length when <paramref name="content"/> cannot tell it.</param>
    /// <param name="progress">Bytes sent so far, after each chunk.</param>
    /// <param name="cancellationToken">Cancels the upload (the server drops the partial file).</param>
    public async Task<UploadResult> UploadFileAsync(string codebaseId, string path, Stream content, long? size = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var total = size ?? (content.CanSeek ? content.Length - content.Position
            : throw new ArgumentException("the stream cannot tell its length: pass size", nameof(size)));
        return await ClientStreamAsync(_codebases.UploadFiles, async (stream, ct) =>
        {
            await stream.WriteAsync(new UploadChunk { Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = path, TotalSize = total } }, ct).ConfigureAwait(false);
            await SendDataAsync(stream, content, sent => progress?.Report(sent), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// UploadTree: many files in one stream, each renamed into place when complete. <paramref name="progress"/>
    /// hears after every chunk; a bad file fails the call (the files before it stay).
    /// </summary>
    public Task<UploadTreeResult> UploadTreeAsync(string codebaseId, IReadOnlyCollection<UploadItem> files,
        IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var bytesTotal = files.Sum(f => f.Size);
        return ClientStreamAsync(_codebases.UploadTree, async (stream, ct) =>
        {
            int done = 0;
            long bytesBefore = 0;
            foreach (var file in files)
            {
                await stream.WriteAsync(new UploadChunk { Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = file.Path, TotalSize = file.Size } }, ct).ConfigureAwait(false);
                await using (var content = file.Open())
                {
                    var before = bytesBefore;
                    await SendDataAsync(stream, content, sent => progress?.Report(new UploadProgress(done, files.Count, before + sent, bytesTotal, file.Path)), ct).ConfigureAwait(false);
                }
                bytesBefore += file.Size;
                done++;
                progress?.Report(new UploadProgress(done, files.Count, bytesBefore, bytesTotal, done == files.Count ? null : file.Path));
            }
        }, cancellationToken);
    }

    /// <summary>UploadArchive: a tar stream (gzip allowed) unpacked under <paramref name="path"/>; nothing is written unless all of it is valid.</summary>
    public Task<UploadTreeResult> UploadArchiveAsync(string codebaseId, Stream archive, string path = "",
        IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        ClientStreamAsync(_codebases.UploadArchive, async (stream, ct) =>
        {
            await stream.WriteAsync(new ArchiveChunk { Metadata = new ArchiveChunk.Types.Metadata { CodebaseId = codebaseId, Path = path } }, ct).ConfigureAwait(false);
            var buffer = new byte[ChunkSize];
            long sent = 0;
            int read;
            while ((read = await archive.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(new ArchiveChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, ct).ConfigureAwait(false);
                sent += read;
                progress?.Report(sent);
            }
        }, cancellationToken);

    private static async Task SendDataAsync(IClientStreamWriter<UploadChunk> stream, Stream content, Action<long> sentSoFar, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        long sent = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await stream.WriteAsync(new UploadChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken).ConfigureAwait(false);
            sent += read;
            sentSoFar(sent);
        }
    }

    /// <summary>A client-streaming call: <paramref name="write"/> sends the messages, then the answer is awaited; errors mapped.</summary>
    private async Task<TResponse> ClientStreamAsync<TRequest, TResponse>(Func<CallOptions, AsyncClientStreamingCall<TRequest, TResponse>> start,
        Func<IClientStreamWriter<TRequest>, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            using var call = start(CallOptions(cancellationToken, stream: true));
            try
            {
                await write(call.RequestStream, cancellationToken).ConfigureAwait(false);
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // The server ended the call early (a bad file): its answer says why.
            }
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ConnectionException($"cannot reach {Endpoint}: {e.Message}", null, e);
        }
    }
}
