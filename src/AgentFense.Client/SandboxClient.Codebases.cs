using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense;

public sealed partial class SandboxClient
{
    /// <summary>CreateCodebase: an empty codebase named <paramref name="name"/>.</summary>
    public Task<Codebase> CreateCodebaseAsync(string name, string? ownerId = null, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = name, OwnerId = ownerId ?? "" }, o), idempotent: false, cancellationToken);

    /// <summary>GetCodebase.</summary>
    public Task<Codebase> GetCodebaseAsync(string codebaseId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebaseId }, o), idempotent: true, cancellationToken);

    /// <summary>ListCodebases: one page (<paramref name="pageToken"/> from the previous answer's <c>NextPageToken</c>).</summary>
    public Task<ListCodebasesResponse> ListCodebasesAsync(int pageSize = 0, string? pageToken = null, string? ownerId = null, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.ListCodebasesAsync(new ListCodebasesRequest { PageSize = pageSize, PageToken = pageToken ?? "", OwnerId = ownerId ?? "" }, o), idempotent: true, cancellationToken);

    /// <summary>Every codebase, page after page.</summary>
    public async IAsyncEnumerable<Codebase> ListAllCodebasesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var token = "";
        do
        {
            var page = await ListCodebasesAsync(100, token, null, cancellationToken).ConfigureAwait(false);
            foreach (var codebase in page.Codebases)
                yield return codebase;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
    }

    /// <summary>DeleteCodebase (FAILED_PRECONDITION, <see cref="CodebaseInUseException"/>, while sandboxes use it).</summary>
    public Task<Empty> DeleteCodebaseAsync(string codebaseId, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.DeleteCodebaseAsync(new DeleteCodebaseRequest { CodebaseId = codebaseId }, o), idempotent: false, cancellationToken);

    /// <summary>ListFiles of a codebase.</summary>
    public Task<ListFilesResponse> ListFilesAsync(string codebaseId, string path = "", bool recursive = false, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.ListFilesAsync(new ListFilesRequest { CodebaseId = codebaseId, Path = path, Recursive = recursive }, o), idempotent: true, cancellationToken);

    /// <summary>DownloadFile: the chunks of a codebase file as they come.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> DownloadFileAsync(string codebaseId, string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new DownloadFileRequest { CodebaseId = codebaseId, FilePath = path };
        await foreach (var chunk in ServerStreamAsync(o => _codebases.DownloadFile(request, o), cancellationToken).ConfigureAwait(false))
            yield return chunk.Data.Memory;
    }

    /// <summary>DownloadFile into <paramref name="destination"/>; returns the bytes written.</summary>
    public async Task<long> DownloadFileAsync(string codebaseId, string path, Stream destination, CancellationToken cancellationToken = default)
    {
        long total = 0;
        await foreach (var chunk in DownloadFileAsync(codebaseId, path, cancellationToken).ConfigureAwait(false))
        {
            await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            total += chunk.Length;
        }
        return total;
    }

    /// <summary>RegisterCodebase: a read-only codebase over a directory on the server's host, used in place.</summary>
    public Task<Codebase> RegisterCodebaseAsync(string name, string hostPath, string? ownerId = null, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _codebases.RegisterCodebaseAsync(new RegisterCodebaseRequest { Name = name, HostPath = hostPath, OwnerId = ownerId ?? "" }, o), idempotent: false, cancellationToken);
}
