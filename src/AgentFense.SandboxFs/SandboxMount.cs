using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs;

/// <summary>
/// A mounted sandbox view: the policy view of a source directory served at a mount point, with writes
/// going to a delta directory. Dispose to unmount.
/// </summary>
public sealed class SandboxMount : IDisposable
{
    private readonly FuseSession _session;

    private SandboxMount(string mountPoint, SandboxFileSystem fileSystem, FuseSession session)
    {
        MountPoint = mountPoint;
        FileSystem = fileSystem;
        _session = session;
    }

    /// <summary>Where the view is mounted.</summary>
    public string MountPoint { get; }

    /// <summary>The filesystem being served (audit, policy updates, the overlay for diff/commit).</summary>
    public SandboxFileSystem FileSystem { get; }

    /// <summary>The FUSE session (connection details, exit).</summary>
    public FuseSession Session => _session;

    /// <summary>
    /// Mounts the policy view of <paramref name="source"/> at <paramref name="mountPoint"/> (an existing,
    /// empty directory), with writes going to <paramref name="deltaDirectory"/>. Served by
    /// <paramref name="server"/>'s shared threads (the process-wide one by default).
    /// </summary>
    public static SandboxMount Mount(
        string source,
        string mountPoint,
        string deltaDirectory,
        PolicyMatcher policy,
        SandboxFsOptions? options = null,
        FuseServer? server = null)
    {
        options ??= new SandboxFsOptions();
        var overlay = new DeltaOverlay(source, deltaDirectory, options.DeltaSizeLimit);
        var fileSystem = new SandboxFileSystem(overlay, policy, options);
        var mountOptions = new MountOptions
        {
            AllowOther = true,
            // Mode bits and ownership are checked by the kernel on the attributes we report; the policy is
            // our second gate on top.
            DefaultPermissions = true,
            Passthrough = options.Passthrough,
            FsName = "agentfense",
            Subtype = "agentfense",
            Log = options.Log,
        };
        var session = (server ?? FuseServer.Shared).Mount(mountPoint, fileSystem, mountOptions);
        fileSystem.Attach(session);
        return new SandboxMount(Path.GetFullPath(mountPoint), fileSystem, session);
    }

    /// <summary>Unmounts (open files in the view fail from then on); the delta stays on disk.</summary>
    public void Dispose() => _session.Dispose();
}
