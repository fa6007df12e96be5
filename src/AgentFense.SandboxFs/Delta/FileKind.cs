namespace AgentFense.SandboxFs.Delta;

/// <summary>The type of a file system entry (the <c>S_IFMT</c> bits of <c>st_mode</c>).</summary>
public enum FileKind
{
    /// <summary>Not a known type.</summary>
    Unknown = 0,
    /// <summary>Regular file.</summary>
    Regular,
    /// <summary>Directory.</summary>
    Directory,
    /// <summary>Symbolic link.</summary>
    Symlink,
    /// <summary>Named pipe.</summary>
    Fifo,
    /// <summary>Character device.</summary>
    CharDevice,
    /// <summary>Block device.</summary>
    BlockDevice,
    /// <summary>Unix socket.</summary>
    Socket,
}
