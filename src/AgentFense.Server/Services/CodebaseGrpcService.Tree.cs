using AgentFense.Api.V1;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// UploadTree: many files in one stream, each metadata chunk starting the next file. Every file is checked
/// and renamed into place as in UploadFiles, the moment its last byte came; a bad file fails the call and
/// the files completed before it stay (the error message says how many).
/// </summary>
internal sealed partial class CodebaseGrpcService
{
    public override async Task<UploadTreeResult> UploadTree(IAsyncStreamReader<UploadChunk> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token) || requestStream.Current.ContentCase != UploadChunk.ContentOneofCase.Metadata)
            throw Invalid("a tree upload starts with a metadata chunk");
        var codebaseId = requestStream.Current.Metadata.CodebaseId;
        Writable(codebaseId);
        var response = new UploadTreeResult { CodebaseId = codebaseId };
        var more = true;
        while (more)
        {
            var meta = requestStream.Current.Metadata;
            if (meta.CodebaseId != codebaseId)
                throw Invalid($"file '{meta.FilePath}' names codebase '{meta.CodebaseId}'; one tree upload goes into one codebase ('{codebaseId}')");
            (UploadResult result, int created, bool next) received;
            try
            {
                received = await ReceiveFileAsync(meta, requestStream, nextFileAllowed: true, token);
            }
            catch (RpcException e) when (response.Files.Count > 0)
            {
                // The files before this one are in place: say so, keeping the status and reason of the failure.
                throw ApiErrors.Create(e.StatusCode, ApiErrors.ReasonOf(e) ?? ApiErrors.InvalidArgument,
                    $"{e.Status.Detail} ({response.Files.Count} earlier file(s) of this tree upload were written and stay)");
            }
            response.Files.Add(received.result);
            response.DirectoryCount += received.created;
            response.TotalBytes += received.result.Size;
            more = received.next;
        }
        return response;
    }
}
