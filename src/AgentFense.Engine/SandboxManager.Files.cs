using AgentFense.Engine.Files;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>The content of the file <paramref name="path"/> in running sandbox <paramref name="id"/>'s view, read as its policy allows.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="ViewFileException">The path is not valid, hidden, refused, a link, not a file, or over <see cref="SandboxManagerOptions.MaxFileReadBytes"/>.</exception>
    public Task<byte[]> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        ViewFiles(id).ReadAsync(path, cancellationToken);

    /// <summary>Creates or replaces the file <paramref name="path"/> in the view (the write lands in the delta); what it is now.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="ViewFileException">The path is not valid, hidden, not writable by the policy, or a link.</exception>
    public Task<ViewFileInfo> WriteFileAsync(string id, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        ViewFiles(id).WriteAsync(path, content, cancellationToken);

    /// <summary>The entries of the directory <paramref name="path"/> ("" for the root) the view shows, in ordinal order of name.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="ViewFileException">The path is not valid, hidden, refused, a link or not a directory.</exception>
    public Task<IReadOnlyList<ViewFileInfo>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(ViewFiles(id).List(path));

    /// <summary>The entry <paramref name="path"/> ("" for the root) of the view; a link is described, not followed.</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="ViewFileException">The path is not valid, hidden, or goes through a link.</exception>
    public Task<ViewFileInfo> StatFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(ViewFiles(id).Stat(path));

    /// <summary>Deletes the file, link or empty directory <paramref name="path"/> from the view (a whiteout in the delta).</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="ViewFileException">The path is not valid, hidden, not writable by the policy, or a directory that is not empty.</exception>
    public Task DeleteFileAsync(string id, string path, CancellationToken cancellationToken = default)
    {
        ViewFiles(id).Delete(path);
        return Task.CompletedTask;
    }

    private SandboxViewFiles ViewFiles(string id)
    {
        _ = RunningEntry(id);
        return new SandboxViewFiles(id, MountPath(id), _options.MaxFileReadBytes);
    }
}
