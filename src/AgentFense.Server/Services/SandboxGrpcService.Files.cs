using System.Runtime.InteropServices;
using AgentFense.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Empty = AgentFense.Api.V1.Empty;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// File operations through the policy view of a running sandbox, done by the server on the view's host mount.
/// </summary>
/// <remarks>
/// The server runs as root, so POSIX permission checks do not stop it; the view's policy does (the filesystem
/// refuses by path, whoever asks): a hidden path is ENOENT → NOT_FOUND, a refused read or write is EACCES →
/// PERMISSION_DENIED with reason POLICY_DENIED. A symbolic link in the view may point anywhere on the host, so
/// the path is walked one component at a time with <c>openat(O_NOFOLLOW)</c> from a descriptor of the mount
/// root, and the final entry is opened without following it either: nothing outside the mount is reached.
/// </remarks>
internal sealed partial class SandboxGrpcService
{
    private const int O_PATH = 0x200000;
    private const int ENOENT = 2, EACCES = 13, EPERM = 1, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39, ELOOP = 40;
    private const long MaxReadBytes = 64L * 1024 * 1024;

    public override async Task<ReadSandboxFileResponse> ReadSandboxFile(ReadSandboxFileRequest request, ServerCallContext context)
    {
        var (segments, display) = ViewPath(request.SandboxId, request.Path, allowRoot: false);
        using var parent = OpenDirectory(request.SandboxId, segments[..^1], display);
        var fd = Interop.Libc.openat(FdOf(parent), segments[^1], Interop.Libc.O_RDONLY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw FileError(Marshal.GetLastPInvokeError(), display);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        await using var stream = new FileStream(handle, FileAccess.Read, 0);
        using var content = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, context.CancellationToken)) > 0)
            {
                if (content.Length + read > MaxReadBytes)
                    throw ApiErrors.Create(StatusCode.ResourceExhausted, ApiErrors.FileTooLarge, $"'{display}' is larger than {MaxReadBytes} bytes");
                content.Write(buffer, 0, read);
            }
        }
        catch (IOException e) when (e.HResult is EACCES or EPERM or EISDIR)
        {
            throw FileError(e.HResult, display);
        }
        catch (UnauthorizedAccessException)
        {
            throw FileError(EACCES, display);
        }
        return new ReadSandboxFileResponse { Content = ByteString.CopyFrom(content.GetBuffer(), 0, (int)content.Length) };
    }

    public override async Task<SandboxFileInfo> WriteSandboxFile(WriteSandboxFileRequest request, ServerCallContext context)
    {
        var (segments, display) = ViewPath(request.SandboxId, request.Path, allowRoot: false);
        using var parent = OpenDirectory(request.SandboxId, segments[..^1], display);
        var fd = Interop.Libc.openat(FdOf(parent), segments[^1],
            Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_TRUNC | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0)
            throw FileError(Marshal.GetLastPInvokeError(), display);
        using (var handle = new SafeFileHandle(fd, ownsHandle: true))
        {
            await using var stream = new FileStream(handle, FileAccess.Write, 0);
            try
            {
                await stream.WriteAsync(request.Content.Memory, context.CancellationToken);
                await stream.FlushAsync(context.CancellationToken);
            }
            catch (IOException e) when (e.HResult is EACCES or EPERM)
            {
                throw FileError(e.HResult, display);
            }
            catch (UnauthorizedAccessException)
            {
                throw FileError(EACCES, display);
            }
        }
        return InfoOf(parent, segments[^1], display);
    }

    public override Task<ListSandboxFilesResponse> ListSandboxFiles(ListSandboxFilesRequest request, ServerCallContext context)
    {
        var (segments, display) = ViewPath(request.SandboxId, request.Path, allowRoot: true);
        using var directory = OpenDirectory(request.SandboxId, segments, display);
        var response = new ListSandboxFilesResponse();
        try
        {
            var prefix = display.Length == 0 ? "" : display + "/";
            foreach (var entry in new DirectoryInfo($"/proc/self/fd/{FdOf(directory)}").EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                response.Files.Add(ToInfo(entry, prefix + entry.Name));
        }
        catch (UnauthorizedAccessException)
        {
            throw FileError(EACCES, display);
        }
        catch (DirectoryNotFoundException)
        {
            throw FileError(ENOENT, display);
        }
        return Task.FromResult(response);
    }

    public override Task<SandboxFileInfo> StatSandboxFile(StatSandboxFileRequest request, ServerCallContext context)
    {
        var (segments, display) = ViewPath(request.SandboxId, request.Path, allowRoot: true);
        if (segments.Length == 0)
        {
            using var root = OpenDirectory(request.SandboxId, segments, display);
            return Task.FromResult(ToInfo(new DirectoryInfo($"/proc/self/fd/{FdOf(root)}/."), ""));
        }
        using var parent = OpenDirectory(request.SandboxId, segments[..^1], display);
        return Task.FromResult(InfoOf(parent, segments[^1], display));
    }

    public override Task<Empty> DeleteSandboxFile(DeleteSandboxFileRequest request, ServerCallContext context)
    {
        var (segments, display) = ViewPath(request.SandboxId, request.Path, allowRoot: false);
        using var parent = OpenDirectory(request.SandboxId, segments[..^1], display);
        if (Interop.Libc.unlinkat(FdOf(parent), segments[^1], 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (EISDIR or EPERM) || Interop.Libc.unlinkat(FdOf(parent), segments[^1], 0x200 /* AT_REMOVEDIR */) != 0)
                throw FileError(errno is EISDIR or EPERM ? Marshal.GetLastPInvokeError() : errno, display);
        }
        return Task.FromResult(new Empty());
    }

    /// <summary>Checks the caller may see the running sandbox and splits <paramref name="path"/> into its components.</summary>
    private (string[] Segments, string Display) ViewPath(string sandboxId, string path, bool allowRoot)
    {
        Running(sandboxId);
        if (path.Contains('\0', StringComparison.Ordinal))
            throw Invalid("the path contains NUL", ApiErrors.InvalidPath);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Any(s => s == ".." || System.Text.Encoding.UTF8.GetByteCount(s) > 255))
            throw Invalid($"path '{path}' is not valid ('..' or a name over 255 bytes)", ApiErrors.InvalidPath);
        if (segments.Length == 0 && !allowRoot)
            throw Invalid("the path names no file", ApiErrors.InvalidPath);
        return (segments, string.Join('/', segments));
    }

    /// <summary>An O_PATH descriptor of the directory <paramref name="segments"/> under the mount, no link followed.</summary>
    private SafeFileHandle OpenDirectory(string sandboxId, string[] segments, string display)
    {
        const int flags = O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC;
        var fd = Interop.Libc.openat(-100 /* AT_FDCWD */, manager.MountPath(sandboxId), flags, 0);
        if (fd < 0)
            throw Precondition($"sandbox '{sandboxId}' has no mounted view", ApiErrors.SandboxNotRunning);
        foreach (var segment in segments)
        {
            var next = Interop.Libc.openat(fd, segment, flags, 0);
            var errno = Marshal.GetLastPInvokeError();
            Interop.Libc.close(fd);
            if (next < 0)
                throw FileError(errno, display);
            fd = next;
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static int FdOf(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static SandboxFileInfo InfoOf(SafeFileHandle parent, string name, string display)
    {
        FileSystemInfo info = new System.IO.FileInfo($"/proc/self/fd/{FdOf(parent)}/{name}");
        if (!info.Exists)
        {
            info = new DirectoryInfo(info.FullName);
            if (!info.Exists)
                throw FileError(ENOENT, display);
        }
        return ToInfo(info, display);
    }

    private static SandboxFileInfo ToInfo(FileSystemInfo info, string path) => new()
    {
        Path = path,
        IsSymlink = info.LinkTarget is not null,
        IsDirectory = info is DirectoryInfo && info.LinkTarget is null,
        Size = info is System.IO.FileInfo file ? file.Length : 0,
        Mode = (uint)info.UnixFileMode,
        ModifiedAt = Timestamp.FromDateTime(info.LastWriteTimeUtc),
    };

    private static RpcException FileError(int errno, string path) => errno switch
    {
        ENOENT => NotFound($"'{path}' does not exist in the sandbox's view", ApiErrors.FileNotFound),
        EACCES or EPERM => ApiErrors.Create(StatusCode.PermissionDenied, ApiErrors.PolicyDenied, $"the sandbox's policy refuses this operation on '{path}'"),
        ELOOP => Invalid($"'{path}' goes through a symbolic link, which is not followed", ApiErrors.InvalidPath),
        ENOTDIR => Invalid($"a component of '{path}' is not a directory", ApiErrors.InvalidPath),
        EISDIR => Invalid($"'{path}' is a directory", ApiErrors.InvalidPath),
        EEXIST or ENOTEMPTY => Precondition($"'{path}' is a directory that is not empty", ApiErrors.InvalidPath),
        _ => ApiErrors.Create(StatusCode.Internal, ApiErrors.InvalidArgument, $"'{path}': the operation failed (errno {errno})"),
    };
}
