namespace AgentFense.SandboxFs.Handles;

/// <summary>How the kernel does I/O for one open file (fs/fuse/iomode.c: an inode cannot mix cached and passthrough).</summary>
internal enum IoMode
{
    /// <summary>Through the page cache, reads and writes reaching us.</summary>
    Cached,

    /// <summary>Straight to a host file the kernel holds; nothing reaches us.</summary>
    Passthrough,
}
