namespace AgentFense.SandboxFs.Delta;

/// <summary>What <c>statfs</c> on the merged view reports: the delta's file system, capped by the delta's limit.</summary>
/// <param name="BlockSize">Block size in bytes (the unit of the block counts).</param>
/// <param name="TotalBlocks">Size in blocks.</param>
/// <param name="FreeBlocks">Free blocks.</param>
/// <param name="AvailableBlocks">Blocks available to the sandbox.</param>
/// <param name="TotalFiles">Inodes in total.</param>
/// <param name="FreeFiles">Free inodes.</param>
/// <param name="NameMax">Longest file name.</param>
public readonly record struct SpaceInfo(
    long BlockSize, ulong TotalBlocks, ulong FreeBlocks, ulong AvailableBlocks, ulong TotalFiles, ulong FreeFiles, long NameMax);
