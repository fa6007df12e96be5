using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Embedded.Internal;

/// <summary>
/// File operations on a running sandbox's view, done on its host mount. The process is root, so only the view's
/// policy refuses (by path, whoever asks): a hidden path is ENOENT, a refused read or write EACCES. A symbolic link
/// in the view may point anywhere on the host, so paths are walked one component at a time with
/// <c>openat(O_NOFOLLOW)</c> from the mount root and the last one is opened without following it either.
/// </summary>
internal static class ViewFiles
{
    private const int O_PATH = 0x200000;
    private const int AT_FDCWD = -100;
    private const int ENOENT = 2, EPERM = 1, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39, ELOOP = 40;
    private const long MaxReadBytes = 64L * 1024 * 1024;

    /// <summary>The components of <paramref name="path"/>, checked, and its display form.</summary>
    public static (string[] Segments, string Display) Split(string path, bool allowRoot)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new InvalidArgumentException("the path contains NUL", "INVALID_PATH");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Any(s => s == ".." || System.Text.Encoding.UTF8.GetByteCount(s) > 255))
            throw new InvalidArgumentException($"path '{path}' is not valid ('..' or a name over 255 bytes)", "INVALID_PATH");
        if (segments.Length == 0 && !allowRoot)
            throw new InvalidArgumentException("the path names no file", "INVALID_PATH");
        return (segments, string.Join('/', segments));
    }

    public static async Task<byte[]> ReadAsync(string mount, string path, CancellationToken cancellationToken)
    {
        var (segments, display) = Split(path, allowRoot: false);
        using var parent = OpenDirectory(mount, segments[..^1], display);
        using var handle = Open(parent, segments[^1], Interop.Libc.O_RDONLY, display);
        await using var stream = new FileStream(handle, FileAccess.Read, 0);
        using var content = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (content.Length + read > MaxReadBytes)
                    throw new ResourceLimitExceededException($"'{display}' is larger than {MaxReadBytes} bytes", "FILE_TOO_LARGE");
                content.Write(buffer, 0, read);
            }
        }
        catch (IOException e) when (e.HResult is EACCES or EPERM or EISDIR)
        {
            throw Error(e.HResult, display);
        }
        catch (UnauthorizedAccessException)
        {
            throw Error(EACCES, display);
        }
        return content.ToArray();
    }

    public static async Task<FileEntry> WriteAsync(string mount, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var (segments, display) = Split(path, allowRoot: false);
        using var parent = OpenDirectory(mount, segments[..^1], display);
        using (var handle = Open(parent, segments[^1], Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_TRUNC, display))
        {
            await using var stream = new FileStream(handle, FileAccess.Write, 0);
            try
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (e.HResult is EACCES or EPERM)
            {
                throw Error(e.HResult, display);
            }
            catch (UnauthorizedAccessException)
            {
                throw Error(EACCES, display);
            }
        }
        return Stat(parent, segments[^1], display);
    }

    public static IReadOnlyList<FileEntry> List(string mount, string path)
    {
        var (segments, display) = Split(path, allowRoot: true);
        using var directory = OpenDirectory(mount, segments, display);
        var prefix = display.Length == 0 ? "" : display + "/";
        try
        {
            return [.. new DirectoryInfo(FdPath(directory)).EnumerateFileSystemInfos()
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => ToEntry(e, prefix + e.Name))];
        }
        catch (UnauthorizedAccessException)
        {
            throw Error(EACCES, display);
        }
        catch (DirectoryNotFoundException)
        {
            throw Error(ENOENT, display);
        }
    }

    public static FileEntry Stat(string mount, string path)
    {
        var (segments, display) = Split(path, allowRoot: true);
        if (segments.Length == 0)
        {
            using var root = OpenDirectory(mount, segments, display);
            return ToEntry(new DirectoryInfo(FdPath(root) + "/."), "");
        }
        using var parent = OpenDirectory(mount, segments[..^1], display);
        return Stat(parent, segments[^1], display);
    }

    public static void Delete(string mount, string path)
    {
        var (segments, display) = Split(path, allowRoot: false);
        using var parent = OpenDirectory(mount, segments[..^1], display);
        if (Interop.Libc.unlinkat(Fd(parent), segments[^1], 0) == 0)
            return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (EISDIR or EPERM))
            throw Error(errno, display);
        if (Interop.Libc.unlinkat(Fd(parent), segments[^1], Interop.Libc.AT_REMOVEDIR) != 0)
            throw Error(Marshal.GetLastPInvokeError(), display);
    }

    private static SafeFileHandle Open(SafeFileHandle parent, string name, int flags, string display)
    {
        var fd = Interop.Libc.openat(Fd(parent), name, flags | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        return fd < 0 ? throw Error(Marshal.GetLastPInvokeError(), display) : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>An O_PATH descriptor of the directory <paramref name="segments"/> under the mount, no link followed.</summary>
    private static SafeFileHandle OpenDirectory(string mount, string[] segments, string display)
    {
        const int flags = O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC;
        var fd = Interop.Libc.openat(AT_FDCWD, mount, flags, 0);
        if (fd < 0)
            throw new SandboxNotRunningException("the sandbox has no mounted view", "SANDBOX_NOT_RUNNING");
        foreach (var segment in segments)
        {
            var next = Interop.Libc.openat(fd, segment, flags, 0);
            var errno = Marshal.GetLastPInvokeError();
            Interop.Libc.close(fd);
            if (next < 0)
                throw Error(errno, display);
            fd = next;
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static FileEntry Stat(SafeFileHandle parent, string name, string display)
    {
        FileSystemInfo info = new FileInfo($"{FdPath(parent)}/{name}");
        if (!info.Exists)
        {
            info = new DirectoryInfo(info.FullName);
            if (!info.Exists)
                throw Error(ENOENT, display);
        }
        return ToEntry(info, display);
    }

    private static FileEntry ToEntry(FileSystemInfo info, string path) => new(
        path,
        info is FileInfo file ? file.Length : 0,
        info is DirectoryInfo && info.LinkTarget is null,
        info.LinkTarget is not null,
        (uint)info.UnixFileMode,
        new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static string FdPath(SafeFileHandle handle) => $"/proc/self/fd/{Fd(handle)}";

    private static AgentFenseException Error(int errno, string path) => errno switch
    {
        ENOENT => new FileNotFoundInSandboxException($"'{path}' does not exist in the sandbox's view", "FILE_NOT_FOUND"),
        EACCES or EPERM => new PermissionDeniedException($"the sandbox's policy refuses this operation on '{path}'", "POLICY_DENIED"),
        ELOOP => new InvalidArgumentException($"'{path}' goes through a symbolic link, which is not followed", "INVALID_PATH"),
        ENOTDIR => new InvalidArgumentException($"a component of '{path}' is not a directory", "INVALID_PATH"),
        EISDIR => new InvalidArgumentException($"'{path}' is a directory", "INVALID_PATH"),
        EEXIST or ENOTEMPTY => new AgentFenseException($"'{path}' is a directory that is not empty", Grpc.Core.StatusCode.FailedPrecondition, "INVALID_PATH"),
        _ => new AgentFenseException($"'{path}': the operation failed (errno {errno})", Grpc.Core.StatusCode.Internal, "INVALID_ARGUMENT"),
    };
}
