using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Codebases;

/// <summary>
/// Codebases as plain trees under <c>codebases/&lt;id&gt;/</c> of the data directory (or, registered in place,
/// a host directory used read-only), their metadata in the <see cref="MetadataStore"/>. Uploads are written
/// under <c>tmp/</c> (same filesystem) and renamed into place, so a crashed upload leaves nothing
/// half-written in a tree. Every change of a tree goes through one gate, which keeps the size and file
/// count current by adding what changed instead of walking the tree again.
/// </summary>
internal sealed partial class CodebaseStore
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755: the box enters the view's root as another user
    private readonly MetadataStore _metadata;

    public CodebaseStore(string dataDirectory, MetadataStore metadata)
    {
        _metadata = metadata;
        DataDirectory = dataDirectory;
        Root = Path.Combine(dataDirectory, "codebases");
        TempDirectory = Path.Combine(dataDirectory, "tmp");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(TempDirectory);
        // Uploads and archives that died before their rename.
        foreach (var stale in Directory.EnumerateFiles(TempDirectory, "upload-*").Concat(Directory.EnumerateFiles(TempDirectory, "archive-*")))
            File.Delete(stale);
        foreach (var stale in Directory.EnumerateDirectories(TempDirectory, "archive-*"))
            Directory.Delete(stale, recursive: true);
    }

    /// <summary>The data directory (absolute).</summary>
    public string DataDirectory { get; }

    /// <summary><c>codebases/</c> of the data directory.</summary>
    public string Root { get; }

    private string TempDirectory { get; }

    /// <summary>The tree of codebase <paramref name="id"/>: its host directory when registered in place, else under <see cref="Root"/>.</summary>
    public string PathOf(string id) => Get(id) is { } codebase ? PathOf(codebase) : Path.Combine(Root, id);

    /// <summary>The tree of <paramref name="codebase"/>.</summary>
    public string PathOf(Codebase codebase) => codebase.HostPath.Length > 0 ? codebase.HostPath : Path.Combine(Root, codebase.Id);

    /// <summary>Creates an empty codebase; <paramref name="authOwner"/> is the API key's owner ("" without keys).</summary>
    public Codebase Create(string name, string ownerId, string authOwner)
    {
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var codebase = new Codebase { Id = Ids.NewCodebaseId(), Name = name, OwnerId = ownerId, CreatedAt = now, UpdatedAt = now };
        var directory = Directory.CreateDirectory(PathOf(codebase));
        File.SetUnixFileMode(directory.FullName, DirectoryMode);
        _metadata.AddCodebase(codebase, authOwner);
        return codebase;
    }

    public Codebase? Get(string id) => Ids.IsCodebaseId(id) ? _metadata.GetCodebase(id) : null;

    /// <summary>Codebase <paramref name="id"/> when it exists and the current caller may see it (<see cref="Auth.Caller"/>), else null.</summary>
    public Codebase? GetVisible(string id) =>
        Get(id) is { } codebase && Auth.Caller.CanSee(_metadata.GetCodebaseAuthOwner(id) ?? "") ? codebase : null;

    /// <summary>Forgets codebase <paramref name="id"/> and removes its tree; a codebase registered in place leaves its host directory alone.</summary>
    public void Delete(string id)
    {
        var codebase = Get(id);
        _metadata.RemoveCodebase(id);
        if (codebase is { HostPath.Length: > 0 })
            return;
        var path = Path.Combine(Root, id);
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
    }

    /// <summary>A temporary file for one upload; the caller writes it, then <see cref="CommitUpload"/> or deletes it.</summary>
    public FileStream CreateUploadFile() =>
        new(Path.Combine(TempDirectory, $"upload-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);

    /// <summary>
    /// Renames a finished upload to <paramref name="segments"/> under the codebase and adds the change to its
    /// totals; returns how many parent directories it created.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parent is a file or link, or the target is a directory or link.</exception>
    /// <exception cref="DirectoryNotFoundException">The codebase was deleted meanwhile.</exception>
    public int CommitUpload(string id, string tempPath, string[] segments)
    {
        var root = Path.Combine(Root, id);
        _treeGate.Wait();
        try
        {
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException($"codebase '{id}' was deleted during the upload");
            var created = 0;
            var directory = root;
            foreach (var segment in segments[..^1])
            {
                directory = Path.Combine(directory, segment);
                switch (HostEntry.KindOf(directory))
                {
                    case HostEntryKind.None:
                        Directory.CreateDirectory(directory);
                        created++;
                        break;
                    case HostEntryKind.File or HostEntryKind.Link:
                        throw new InvalidOperationException($"'{Relative(root, directory)}' is a file or link, not a directory");
                }
            }
            var target = Path.Combine(directory, segments[^1]);
            var existing = HostEntry.KindOf(target);
            if (existing is HostEntryKind.Directory or HostEntryKind.Link)
                throw new InvalidOperationException($"'{Relative(root, target)}' is a {(existing == HostEntryKind.Link ? "link" : "directory")}");
            var before = TreeTotals.Measure(target);
            File.SetUnixFileMode(tempPath, (UnixFileMode)0x1A4); // 0644
            var after = new TreeTotals(new System.IO.FileInfo(tempPath).Length, 1);
            File.Move(tempPath, target, overwrite: true);
            AddTotals(id, after - before);
            return created;
        }
        finally
        {
            _treeGate.Release();
        }
    }

    public static string Sha256Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);
}
