namespace AgentFense;

/// <summary>How far an upload is.</summary>
/// <param name="FilesDone">Files completely sent.</param>
/// <param name="FilesTotal">Files to send.</param>
/// <param name="BytesDone">Bytes sent.</param>
/// <param name="BytesTotal">Bytes to send.</param>
/// <param name="CurrentPath">The file being sent (relative), or null once done.</param>
public readonly record struct UploadProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, string? CurrentPath);
