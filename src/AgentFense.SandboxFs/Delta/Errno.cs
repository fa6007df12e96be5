namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// Linux errno values (asm-generic/errno-base.h, errno.h) returned by the delta engine.
/// <see cref="Success"/> is 0; every other member is the positive errno number.
/// </summary>
public enum Errno
{
    /// <summary>No error.</summary>
    Success = 0,
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,
    /// <summary>No such file or directory.</summary>
    ENOENT = 2,
    /// <summary>Interrupted system call.</summary>
    EINTR = 4,
    /// <summary>I/O error.</summary>
    EIO = 5,
    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,
    /// <summary>Try again.</summary>
    EAGAIN = 11,
    /// <summary>Out of memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied.</summary>
    EACCES = 13,
    /// <summary>Device or resource busy.</summary>
    EBUSY = 16,
    /// <summary>File exists.</summary>
    EEXIST = 17,
    /// <summary>Cross-device link.</summary>
    EXDEV = 18,
    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,
    /// <summary>Is a directory.</summary>
    EISDIR = 21,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Too many open files.</summary>
    EMFILE = 24,
    /// <summary>File too large.</summary>
    EFBIG = 27,
    /// <summary>No space left on device (also: the delta's size limit is reached).</summary>
    ENOSPC = 28,
    /// <summary>Read-only file system.</summary>
    EROFS = 30,
    /// <summary>Too many links.</summary>
    EMLINK = 31,
    /// <summary>Math result not representable (xattr value buffer too small).</summary>
    ERANGE = 34,
    /// <summary>File name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary>Function not implemented.</summary>
    ENOSYS = 38,
    /// <summary>Directory not empty.</summary>
    ENOTEMPTY = 39,
    /// <summary>Too many symbolic links encountered.</summary>
    ELOOP = 40,
    /// <summary>No data available (no such xattr).</summary>
    ENODATA = 61,
    /// <summary>Operation not supported.</summary>
    EOPNOTSUPP = 95,
    /// <summary>Quota exceeded.</summary>
    EDQUOT = 122,
}
