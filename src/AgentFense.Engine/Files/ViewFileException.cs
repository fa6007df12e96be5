namespace AgentFense.Engine.Files;

/// <summary>A file operation through a sandbox's view failed; <see cref="Error"/> says why, for the API edge to map.</summary>
/// <param name="error">Why the operation failed.</param>
/// <param name="path">The path asked for, normalized ("" for the root).</param>
/// <param name="message">What failed, naming the path, fit to show a caller.</param>
/// <param name="errno">The errno the kernel answered, 0 when the failure was found before any call.</param>
public sealed class ViewFileException(ViewFileError error, string path, string message, int errno = 0) : Exception(message)
{
    /// <summary>Why the operation failed.</summary>
    public ViewFileError Error => error;

    /// <summary>The path asked for, normalized ("" for the root).</summary>
    public string Path => path;

    /// <summary>The errno the kernel answered, 0 when the failure was found before any call.</summary>
    public int Errno => errno;

    internal const int EPERM = 1, ENOENT = 2, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39, ELOOP = 40;

    /// <summary>The exception for <paramref name="errno"/> answered on <paramref name="path"/>.</summary>
    internal static ViewFileException FromErrno(int errno, string path) => errno switch
    {
        ENOENT => new(ViewFileError.NotFound, path, $"'{path}' does not exist in the sandbox's view", errno),
        EACCES or EPERM => new(ViewFileError.Denied, path, $"the sandbox's policy refuses this operation on '{path}'", errno),
        ELOOP => new(ViewFileError.SymbolicLink, path, $"'{path}' goes through a symbolic link, which is not followed", errno),
        ENOTDIR => new(ViewFileError.NotADirectory, path, $"a component of '{path}' is not a directory", errno),
        EISDIR => new(ViewFileError.IsADirectory, path, $"'{path}' is a directory", errno),
        EEXIST or ENOTEMPTY => new(ViewFileError.NotEmpty, path, $"'{path}' is a directory that is not empty", errno),
        _ => new(ViewFileError.Failed, path, $"'{path}': the operation failed (errno {errno})", errno),
    };
}
