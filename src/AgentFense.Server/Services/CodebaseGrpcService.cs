using System.Globalization;
using System.IO.Enumeration;
using AgentFense.Api.V1;
using AgentFense.Server.Codebases;
using AgentFense.Server.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Empty = AgentFense.Api.V1.Empty;
using static AgentFense.Server.Services.ApiMapping;
using FileInfo = AgentFense.Api.V1.FileInfo;

namespace AgentFense.Server.Services;

/// <summary><c>sandbox.v1.CodebaseService</c> over the <see cref="CodebaseStore"/>.</summary>
internal sealed partial class CodebaseGrpcService(CodebaseStore store, MetadataStore metadata, ServerOptions options) : CodebaseService.CodebaseServiceBase
{
    /// <summary>Download chunk size (clients upload 64 KiB chunks too).</summary>
    internal const int ChunkSize = 64 * 1024;

    private const int DefaultPageSize = 100;

    public override Task<Codebase> CreateCodebase(CreateCodebaseRequest request, ServerCallContext context)
    {
        if (request.Name.Length == 0)
            throw Invalid("a codebase needs a name");
        // With API keys the owner is the authenticated one: a requested owner_id is ignored.
        return Task.FromResult(Auth.Caller.Owner is { } owner ? store.Create(request.Name, owner, owner) : store.Create(request.Name, request.OwnerId, ""));
    }

    public override Task<Codebase> GetCodebase(GetCodebaseRequest request, ServerCallContext context) =>
        Task.FromResult(Existing(request.CodebaseId));

    public override Task<ListCodebasesResponse> ListCodebases(ListCodebasesRequest request, ServerCallContext context)
    {
        // With API keys only the caller's codebases are listed, whatever owner_id asks for.
        var all = Auth.Caller.Owner is { } owner ? metadata.ListCodebasesOfAuthOwner(owner) : metadata.ListCodebases(request.OwnerId);
        var (page, next) = Page(all, request.PageSize, request.PageToken);
        var response = new ListCodebasesResponse { NextPageToken = next };
        response.Codebases.AddRange(page);
        return Task.FromResult(response);
    }

    public override Task<Empty> DeleteCodebase(DeleteCodebaseRequest request, ServerCallContext context)
    {
        Existing(request.CodebaseId);
        if (metadata.CodebaseHasSandboxes(request.CodebaseId))
            throw Precondition($"codebase '{request.CodebaseId}' still has sandboxes", ApiErrors.CodebaseInUse);
        store.Delete(request.CodebaseId);
        return Task.FromResult(new Empty());
    }

    public override async Task DownloadFile(DownloadFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        Existing(request.CodebaseId);
        var path = ResolveInside(request.CodebaseId, request.FilePath, allowRoot: false);
        if (!File.Exists(path))
            throw NotFound($"no file '{request.FilePath}' in codebase '{request.CodebaseId}'", ApiErrors.FileNotFound);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[ChunkSize];
        int read;
        while ((read = await file.ReadAsync(buffer, context.CancellationToken)) > 0)
            await responseStream.WriteAsync(new FileChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
    }

    public override Task<ListFilesResponse> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        Existing(request.CodebaseId);
        var root = store.PathOf(request.CodebaseId);
        var directory = ResolveInside(request.CodebaseId, request.Path, allowRoot: true);
        if (!Directory.Exists(directory))
            throw NotFound($"no directory '{request.Path}' in codebase '{request.CodebaseId}'", ApiErrors.FileNotFound);
        var options = new EnumerationOptions { RecurseSubdirectories = request.Recursive, AttributesToSkip = 0 };
        // A link is listed, never descended into: a link to a directory is one entry.
        var found = new FileSystemEnumerable<FileSystemInfo>(directory, (ref FileSystemEntry e) => e.ToFileSystemInfo(), options)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        var entries = found
            .Select(entry => new FileInfo
            {
                Path = Path.GetRelativePath(root, entry.FullName),
                Name = entry.Name,
                IsDir = entry is DirectoryInfo && entry.LinkTarget is null,
                Size = entry is System.IO.FileInfo file && file.LinkTarget is null ? file.Length : 0,
                ModifiedAt = Timestamp.FromDateTime(entry.LastWriteTimeUtc),
            })
            .OrderBy(f => f.Path, StringComparer.Ordinal);
        var response = new ListFilesResponse();
        response.Files.AddRange(entries);
        return Task.FromResult(response);
    }

    private Codebase Existing(string id) =>
        store.GetVisible(id) ?? throw NotFound($"no codebase '{id}'", ApiErrors.CodebaseNotFound);

    /// <summary>Codebase <paramref name="id"/> when the caller may write into it: registered codebases are read-only.</summary>
    private Codebase Writable(string id) =>
        Existing(id) is { ReadOnly: false } codebase
            ? codebase
            : throw Precondition($"codebase '{id}' is registered in place over a host directory and is read-only", ApiErrors.CodebaseReadOnly);

    private string ResolveInside(string id, string relative, bool allowRoot)
    {
        // ListFiles accepts "/" and "/src" for the root and src (as rule patterns do); uploads do not.
        if (allowRoot)
            relative = relative.Trim('/');
        if (!CodebasePaths.TryValidate(relative, allowRoot, out var segments, out var error))
            throw Invalid(error, ApiErrors.InvalidPath);
        var root = store.PathOf(id);
        var path = Path.Combine([root, .. segments]);
        // Links in a tree (from an archive, or a registered host directory) must not lead reads out of it.
        if (segments.Length > 0 && HostDirectories.Resolve(path) is { } real && HostDirectories.Resolve(root) is { } realRoot
            && !HostDirectories.IsSameOrUnder(real, realRoot))
            throw ApiErrors.Create(StatusCode.PermissionDenied, ApiErrors.PathOutsideCodebase, $"'{relative}' leads outside codebase '{id}' through a link");
        return path;
    }

    internal static (IEnumerable<T> Page, string Next) Page<T>(IReadOnlyList<T> all, int pageSize, string pageToken)
    {
        if (pageSize < 0)
            throw Invalid("page_size may not be negative");
        var size = pageSize == 0 ? DefaultPageSize : pageSize;
        var start = 0;
        if (pageToken.Length > 0 && (!int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > all.Count))
            throw Invalid($"page_token '{pageToken}' is not valid");
        var end = Math.Min(all.Count, start + size);
        return (all.Skip(start).Take(end - start), end < all.Count ? end.ToString(CultureInfo.InvariantCulture) : "");
    }
}
