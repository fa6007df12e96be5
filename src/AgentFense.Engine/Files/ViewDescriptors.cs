using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Engine.Files;

/// <summary>
/// Descriptors of entries under a view's host mount, reached one component at a time with
/// <c>openat(O_NOFOLLOW)</c> from a descriptor of the mount root.
/// </summary>
/// <remarks>
/// A symbolic link in the view may point anywhere on the host and the caller is root: resolving a path by name
/// (or following its last component) could reach outside the mount. Walking with O_NOFOLLOW makes a link in
/// any component fail with ELOOP (or ENOTDIR for O_PATH|O_DIRECTORY), so nothing outside the mount is opened.
/// </remarks>
internal static class ViewDescriptors
{
    private const int O_PATH = 0x200000;
    private const int AT_FDCWD = -100;
    private const int DirectoryFlags = O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC;

    /// <summary>An O_PATH descriptor of the directory <paramref name="segments"/> under <paramref name="mount"/>, no link followed.</summary>
    /// <exception cref="ViewFileException">The mount is gone, or a component is missing, hidden, refused, a link or not a directory.</exception>
    public static SafeFileHandle OpenDirectory(string mount, string sandboxId, string[] segments, string display)
    {
        var fd = Interop.Libc.openat(AT_FDCWD, mount, DirectoryFlags, 0);
        if (fd < 0)
            throw new ViewFileException(ViewFileError.NotMounted, display, $"sandbox '{sandboxId}' has no mounted view", Marshal.GetLastPInvokeError());
        foreach (var segment in segments)
        {
            var next = Interop.Libc.openat(fd, segment, DirectoryFlags, 0);
            var errno = Marshal.GetLastPInvokeError();
            Interop.Libc.close(fd);
            if (next < 0)
                throw ViewFileException.FromErrno(errno, display);
            fd = next;
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens <paramref name="name"/> in <paramref name="parent"/> with <paramref name="flags"/>, not following a link (new files are 0644).</summary>
    /// <exception cref="ViewFileException">The open failed.</exception>
    public static SafeFileHandle OpenFile(SafeFileHandle parent, string name, int flags, string display)
    {
        var fd = Interop.Libc.openat(Fd(parent), name, flags | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        return fd < 0 ? throw ViewFileException.FromErrno(Marshal.GetLastPInvokeError(), display) : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The raw descriptor of <paramref name="handle"/>, for *at calls made while the handle is in use.</summary>
    public static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>
    /// The /proc path of <paramref name="handle"/>: managed file APIs given it (plus one plain name) reach the
    /// entry through the descriptor, not through a resolvable host path.
    /// </summary>
    public static string FdPath(SafeFileHandle handle) => $"/proc/self/fd/{Fd(handle)}";
}
