using System.Text;

namespace AgentFense;

public sealed partial class Sandbox
{
    /// <summary>Reads a file through the sandbox's policy view (what the agent would read).</summary>
    /// <exception cref="FileNotFoundInSandboxException">Absent, or hidden by the policy.</exception>
    /// <exception cref="PermissionDeniedException">Visible but not readable (<c>view</c>).</exception>
    public Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.ReadFileAsync(Id, RelativePath(path), cancellationToken);
    }

    /// <summary>Reads a file through the policy view as UTF-8 text.</summary>
    public async Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadFileAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Creates or replaces a file through the policy view (into the delta; its directory must exist).</summary>
    /// <exception cref="PermissionDeniedException">The policy does not let the agent write there.</exception>
    public Task<FileEntry> WriteFileAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.WriteFileAsync(Id, RelativePath(path), content, cancellationToken);
    }

    /// <summary>Creates or replaces a file with UTF-8 <paramref name="text"/>.</summary>
    public Task<FileEntry> WriteFileAsync(string path, string text, CancellationToken cancellationToken = default) =>
        WriteFileAsync(path, Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>The entries of a directory of the view ("" for the root) that the policy lets the agent see.</summary>
    public Task<IReadOnlyList<FileEntry>> ListFilesAsync(string path = "", CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.ListFilesAsync(Id, RelativePath(path), cancellationToken);
    }

    /// <summary>Describes a path of the view.</summary>
    public Task<FileEntry> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.StatFileAsync(Id, RelativePath(path), cancellationToken);
    }

    /// <summary>True when the agent can see <paramref name="path"/>.</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            await StatAsync(path, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (FileNotFoundInSandboxException)
        {
            return false;
        }
    }

    /// <summary>Removes a file or an empty directory through the policy view (recorded in the delta).</summary>
    public Task DeleteFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Backend.DeleteFileAsync(Id, RelativePath(path), cancellationToken);
    }
}
