using AgentFense.Api.V1;

namespace AgentFense.Server.Codebases;

/// <summary>
/// An archive unpacked and checked in its staging directory, not yet in the codebase: the regular files
/// (path, size, SHA-256; a hard link is a copy and listed as a file), and how many directories and links.
/// </summary>
internal sealed record StagedArchive(string Directory, IReadOnlyList<UploadResult> Files, int DirectoryCount, int SymlinkCount, long TotalBytes);
