namespace AgentFense.Engine.Files;

/// <summary>Why a file operation through a sandbox's view failed.</summary>
public enum ViewFileError
{
    /// <summary>The path does not exist in the view, or the policy hides it.</summary>
    NotFound,

    /// <summary>The policy refuses the operation (a view-only read, a write to a read-only path, ...).</summary>
    Denied,

    /// <summary>The path itself is not valid: NUL, '..', a component over 255 bytes, or no file named.</summary>
    InvalidPath,

    /// <summary>The path goes through a symbolic link, which is never followed.</summary>
    SymbolicLink,

    /// <summary>A component of the path is not a directory.</summary>
    NotADirectory,

    /// <summary>The path is a directory where a file is needed.</summary>
    IsADirectory,

    /// <summary>The directory to delete is not empty.</summary>
    NotEmpty,

    /// <summary>The file is larger than the read bound.</summary>
    TooLarge,

    /// <summary>The sandbox's view is not mounted (it stopped while the call ran).</summary>
    NotMounted,

    /// <summary>The operation failed for another reason; <see cref="ViewFileException.Errno"/> says which.</summary>
    Failed,
}
