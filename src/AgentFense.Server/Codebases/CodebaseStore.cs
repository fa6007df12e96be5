using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Codebases;

/// <summary>
/// Codebases as plain trees under <c>codebases/&lt;id&gt;/</c> of the data directory, their metadata in the
/// <see cref="MetadataStore"/>. Uploads are written under <c>tmp/</c> (same filesystem) and renamed into
/// place, so a crashed upload leaves nothing half-written in a tree.
/// </summary>
internal sealed class CodebaseStore
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755: the box enters the view's root as another user
    private readonly MetadataStore _metadata;
    private readonly Lock _totalsLock = new();

    public CodebaseStore(string dataDirectory, MetadataStore metadata)
    {
        _metadata = metadata;
        Root = Path.Combine(dataDirectory, "codebases");
        TempDirectory = Path.Combine(dataDirectory, "tmp");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(TempDirectory);
        // Uploads that died before their rename.
        foreach (var stale in Directory.EnumerateFiles(TempDirectory, "upload-*"))
            File.Delete(stale);
    }

    /// <summary><c>codebases/</c> of the data directory.</summary>
    public string Root { get; }

    private string TempDirectory { get; }

    /// <summary>The tree of codebase <paramref name="id"/> (an id checked by <see cref="Ids.IsCodebaseId"/>).</summary>
    public string PathOf(string id) => Path.Combine(Root, id);

    /// <summary>Creates an empty codebase; <paramref name="authOwner"/> is the API key's owner ("" without keys).</summary>
    public Codebase Create(string name, string ownerId, string authOwner)
    {
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var codebase = new Codebase { Id = Ids.NewCodebaseId(), Name = name, OwnerId = ownerId, CreatedAt = now, UpdatedAt = now };
        var directory = Directory.CreateDirectory(PathOf(codebase.Id));
        File.SetUnixFileMode(directory.FullName, DirectoryMode);
        _metadata.AddCodebase(codebase, authOwner);
        return codebase;
    }

    public Codebase? Get(string id) => Ids.IsCodebaseId(id) ? _metadata.GetCodebase(id) : null;

    /// <summary>Codebase <paramref name="id"/> when it exists and the current caller may see it (<see cref="Auth.Caller"/>), else null.</summary>
    public Codebase? GetVisible(string id) =>
        Get(id) is { } codebase && Auth.Caller.CanSee(_metadata.GetCodebaseAuthOwner(id) ?? "") ? codebase : null;

    public void Delete(string id)
    {
        _metadata.RemoveCodebase(id);
        var path = PathOf(id);
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
    }

    /// <summary>A temporary file for one upload; the caller writes it, then <see cref="CommitUpload"/> or deletes it.</summary>
    public FileStream CreateUploadFile() =>
        new(Path.Combine(TempDirectory, $"upload-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);

    /// <summary>Renames a finished upload to <paramref name="segments"/> under the codebase and refreshes its totals.</summary>
    /// <exception cref="InvalidOperationException">A parent is a file, or the target is a directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The codebase was deleted meanwhile.</exception>
    public void CommitUpload(string id, string tempPath, string[] segments)
    {
        var root = PathOf(id);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"codebase '{id}' was deleted during the upload");
        var directory = root;
        foreach (var segment in segments[..^1])
        {
            directory = Path.Combine(directory, segment);
            if (File.Exists(directory) || IsLink(directory))
                throw new InvalidOperationException($"'{Relative(root, directory)}' is a file, not a directory");
            if (!Directory.Exists(directory))
                Directory.CreateDirectory(directory);
        }
        var target = Path.Combine(directory, segments[^1]);
        if (Directory.Exists(target) || IsLink(target))
            throw new InvalidOperationException($"'{Relative(root, target)}' is a directory");
        File.SetUnixFileMode(tempPath, (UnixFileMode)0x1A4); // 0644
        File.Move(tempPath, target, overwrite: true);
        RefreshTotals(id);
    }

    /// <summary>Recounts size and file count of codebase <paramref name="id"/> from its tree.</summary>
    public void RefreshTotals(string id)
    {
        lock (_totalsLock)
        {
            long size = 0;
            var count = 0;
            foreach (var file in new DirectoryInfo(PathOf(id)).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                size += file.Length;
                count++;
            }
            _metadata.UpdateCodebaseTotals(id, size, count, DateTimeOffset.UtcNow);
        }
    }

    public static string Sha256Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());

    private static bool IsLink(string path) => new System.IO.FileInfo(path).LinkTarget is not null;

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);
}
