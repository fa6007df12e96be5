using System.Runtime.InteropServices;

namespace AgentFense.Engine.Files;

/// <summary>
/// File operations through the policy view of one running sandbox, done on the view's host mount.
/// </summary>
/// <remarks>
/// The caller runs as root, so POSIX permission checks do not stop it; the view's policy does (the filesystem
/// refuses by path, whoever asks): a hidden path is ENOENT, a refused read or write EACCES. Every path is
/// walked by <see cref="ViewDescriptors"/> and its last component opened without following a link either.
/// </remarks>
internal sealed class SandboxViewFiles(string sandboxId, string mount, long maxReadBytes)
{
    /// <summary>The content of the file <paramref name="path"/>, at most <c>maxReadBytes</c> of it.</summary>
    public async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var target = ViewPath.Parse(path, allowRoot: false);
        using var parent = OpenParent(target);
        using var handle = ViewDescriptors.OpenFile(parent, target.Name, Interop.Libc.O_RDONLY, target.Display);
        await using var stream = new FileStream(handle, FileAccess.Read, 0);
        using var content = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (content.Length + read > maxReadBytes)
                    throw new ViewFileException(ViewFileError.TooLarge, target.Display, $"'{target.Display}' is larger than {maxReadBytes} bytes");
                content.Write(buffer, 0, read);
            }
        }
        catch (IOException e) when (e.HResult is ViewFileException.EACCES or ViewFileException.EPERM or ViewFileException.EISDIR)
        {
            throw ViewFileException.FromErrno(e.HResult, target.Display);
        }
        catch (UnauthorizedAccessException)
        {
            throw ViewFileException.FromErrno(ViewFileException.EACCES, target.Display);
        }
        return content.ToArray();
    }

    /// <summary>Creates or replaces the file <paramref name="path"/> with <paramref name="content"/>; what it is now.</summary>
    public async Task<ViewFileInfo> WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = ViewPath.Parse(path, allowRoot: false);
        using var parent = OpenParent(target);
        const int flags = Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_TRUNC;
        using (var handle = ViewDescriptors.OpenFile(parent, target.Name, flags, target.Display))
        {
            await using var stream = new FileStream(handle, FileAccess.Write, 0);
            try
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (e.HResult is ViewFileException.EACCES or ViewFileException.EPERM)
            {
                throw ViewFileException.FromErrno(e.HResult, target.Display);
            }
            catch (UnauthorizedAccessException)
            {
                throw ViewFileException.FromErrno(ViewFileException.EACCES, target.Display);
            }
        }
        return ViewEntries.Of(parent, target.Name, target.Display);
    }

    /// <summary>The entries of the directory <paramref name="path"/> ("" for the root), in ordinal order of name.</summary>
    public IReadOnlyList<ViewFileInfo> List(string path)
    {
        var target = ViewPath.Parse(path, allowRoot: true);
        using var directory = ViewDescriptors.OpenDirectory(mount, sandboxId, target.Segments, target.Display);
        return ViewEntries.List(directory, target.Display);
    }

    /// <summary>The entry <paramref name="path"/> ("" for the root).</summary>
    public ViewFileInfo Stat(string path)
    {
        var target = ViewPath.Parse(path, allowRoot: true);
        if (target.Segments.Length == 0)
        {
            using var root = ViewDescriptors.OpenDirectory(mount, sandboxId, target.Segments, target.Display);
            return ViewEntries.OfDirectory(root, "");
        }
        using var parent = OpenParent(target);
        return ViewEntries.Of(parent, target.Name, target.Display);
    }

    /// <summary>Deletes the file, link or empty directory <paramref name="path"/>.</summary>
    public void Delete(string path)
    {
        var target = ViewPath.Parse(path, allowRoot: false);
        using var parent = OpenParent(target);
        var fd = ViewDescriptors.Fd(parent);
        if (Interop.Libc.unlinkat(fd, target.Name, 0) == 0)
            return;
        // unlink of a directory answers EISDIR (Linux) or EPERM (POSIX); only then is it removed as one.
        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (ViewFileException.EISDIR or ViewFileException.EPERM))
            throw ViewFileException.FromErrno(errno, target.Display);
        if (Interop.Libc.unlinkat(fd, target.Name, Interop.Libc.AT_REMOVEDIR) != 0)
            throw ViewFileException.FromErrno(Marshal.GetLastPInvokeError(), target.Display);
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenParent(ViewPath target) =>
        ViewDescriptors.OpenDirectory(mount, sandboxId, target.Parent, target.Display);
}
