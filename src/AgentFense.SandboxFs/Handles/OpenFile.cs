using AgentFense.SandboxFs.Nodes;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.SandboxFs.Handles;

/// <summary>One open file of the sandbox (a FUSE file handle).</summary>
internal sealed class OpenFile(Node node, string path, bool writable, IoMode mode, SafeFileHandle? handle)
{
    private readonly Lock _reopen = new();

    public Node Node { get; } = node;

    /// <summary>The path at open time (a read-only file reopened lazily is found by it).</summary>
    public string Path { get; } = path;

    public bool Writable { get; } = writable;

    public IoMode Mode { get; } = mode;

    /// <summary>
    /// The host descriptor, or null when it was handed to the kernel for passthrough and not needed since.
    /// </summary>
    public SafeFileHandle? Handle { get; private set; } = handle;

    /// <summary>The descriptor, opening the file again by path if passthrough took the first one.</summary>
    public Delta.Errno EnsureHandle(Delta.DeltaOverlay overlay, out SafeFileHandle handle)
    {
        var current = Handle;
        if (current is not null)
        {
            handle = current;
            return Delta.Errno.Success;
        }
        lock (_reopen)
        {
            if (Handle is null)
            {
                var rc = overlay.OpenFile(Path, Interop.Libc.O_RDONLY, out var opened);
                if (rc != Delta.Errno.Success)
                {
                    handle = opened;
                    return rc;
                }
                Handle = opened;
            }
            handle = Handle;
            return Delta.Errno.Success;
        }
    }
}
