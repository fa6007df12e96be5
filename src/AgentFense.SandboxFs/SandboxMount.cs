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
        PrepareDeltaRoot(source, deltaDirectory);
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

    /// <summary>
    /// The delta's root directory is the view's root: a new one takes the source root's mode and owner, so the
    /// view's root looks like the source's (not like a fresh private temp directory).
    /// </summary>
    private static void PrepareDeltaRoot(string source, string deltaDirectory)
    {
        if (Directory.Exists(deltaDirectory) && Directory.EnumerateFileSystemEntries(deltaDirectory).Any())
            return;
        Directory.CreateDirectory(deltaDirectory);
        if (HostFs.Lstat(source, out var st) != Delta.Errno.Success)
            return;
        var rc = HostFs.Chmod(deltaDirectory, st.stx_mode);
        if (rc == Delta.Errno.Success)
            rc = HostFs.Lchown(deltaDirectory, st.stx_uid, st.stx_gid);
        if (rc != Delta.Errno.Success)
            throw new IOException($"cannot give the delta root '{deltaDirectory}' the source's mode and owner: {rc}");
    }

    /// <summary>Unmounts (open files in the view fail from then on); the delta stays on disk.</summary>
    public void Dispose() => _session.Dispose();
}
