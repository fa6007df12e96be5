namespace AgentFense;

/// <summary>One file of a tree upload.</summary>
/// <param name="Path">Its path in the codebase, '/'-separated, relative.</param>
/// <param name="Size">Its length in bytes (sent first; the server checks it).</param>
/// <param name="Open">Opens its content for reading; called once, when the file's turn comes.</param>
public sealed record UploadItem(string Path, long Size, Func<Stream> Open)
{
    /// <summary>The file at <paramref name="localPath"/>, uploaded as <paramref name="path"/>.</summary>
    public static UploadItem FromFile(string path, string localPath) =>
        new(path, new FileInfo(localPath).Length, () => new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan));

    /// <summary>In-memory content uploaded as <paramref name="path"/>.</summary>
    public static UploadItem FromBytes(string path, ReadOnlyMemory<byte> content) =>
        new(path, content.Length, () => new MemoryStream(content.ToArray(), writable: false));
}
