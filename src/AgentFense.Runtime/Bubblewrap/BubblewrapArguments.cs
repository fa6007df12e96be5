using System.Globalization;
using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// The bwrap command line of a box, and the descriptors it reads. Fixed descriptor numbers in
/// bwrap: 3 init's socket (passed through to init), 4 the seccomp program, 5 the info pipe
/// (bwrap writes the box's pid), 6 the block pipe (the box waits on it before exec until its
/// cgroup is set), 7 and up one per synthesized /etc file.
/// </summary>
internal static class BubblewrapArguments
{
    public const int InitSocketFd = 3;
    public const int SeccompFd = 4;
    public const int InfoFd = 5;
    public const int BlockFd = 6;
    public const int FirstFileFd = 7;

    /// <summary>Where the init binary appears in every box.</summary>
    public const string InitPathInBox = "/.agentfense/init";

    /// <summary>Builds bwrap's argv (without argv[0]).</summary>
    /// <param name="spec">The box.</param>
    /// <param name="etc">The synthesized /etc; its files get descriptors <see cref="FirstFileFd"/>, in order.</param>
    /// <param name="host">System directories to show.</param>
    /// <param name="initHostPath">The init binary to bind (a copy under the runtime's state directory).</param>
    /// <param name="asRoot">The engine runs as root: no user namespace; uid/gid switch with setpriv after bwrap.</param>
    /// <param name="setprivPath">setpriv on the host (used when <paramref name="asRoot"/>).</param>
    public static List<string> Build(BoxSpec spec, EtcFiles etc, HostLayout host, string initHostPath, bool asRoot, string setprivPath = "/usr/bin/setpriv")
    {
        var uid = spec.Uid.ToString(CultureInfo.InvariantCulture);
        var gid = spec.Gid.ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            // --unshare-all spelled out: its user namespace is "try", which differs between root and not.
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
            "--die-with-parent", "--new-session", "--as-pid-1",
            "--hostname", spec.Hostname,
            "--clearenv",
            "--cap-drop", "ALL",
        };
        if (asRoot)
        {
            // setpriv needs these three to switch uid/gid and empty the bounding set; the uid
            // change clears them from the permitted and effective sets.
            args.AddRange(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]);
        }
        else
        {
            args.AddRange(["--unshare-user", "--disable-userns", "--uid", uid, "--gid", gid]);
        }
        args.AddRange(["--seccomp", Fd(SeccompFd), "--info-fd", Fd(InfoFd), "--block-fd", Fd(BlockFd)]);
        foreach (var (path, target) in host.Entries)
        {
            if (target is null)
                args.AddRange(["--ro-bind", path, path]);
            else
                args.AddRange(["--symlink", target, path]);
        }
        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        args.AddRange(["--perms", "1777", "--size", spec.Limits.TmpSizeBytes.ToString(CultureInfo.InvariantCulture), "--tmpfs", "/tmp"]);
        var made = new HashSet<string>(StringComparer.Ordinal) { "/", "/tmp", "/proc", "/dev" };
        MakeDirectory(args, made, "/etc");
        var fd = FirstFileFd;
        foreach (var (path, _) in etc.Files)
            args.AddRange(["--perms", "0644", "--file", Fd(fd++), path]);
        foreach (var path in etc.ReadOnlyBinds)
        {
            MakeParents(args, made, path);
            args.AddRange(["--ro-bind", path, path]);
        }
        foreach (var (path, target) in etc.Symlinks)
            args.AddRange(["--symlink", target, path]);
        MakeParents(args, made, spec.WorkspacePath);
        MakeParents(args, made, InitPathInBox);
        args.AddRange([spec.WorkspaceReadOnly ? "--ro-bind" : "--bind", spec.WorkspaceHostPath, spec.WorkspacePath]);
        args.AddRange(["--ro-bind", initHostPath, InitPathInBox]);
        // Not the workspace: bwrap changes directory as uid 0 without capabilities, before the box user
        // exists, and a workspace of mode 0700 owned by the box user would refuse it. Every command gets its
        // working directory from its exec request.
        args.AddRange(["--chdir", "/"]);
        args.AddRange(["--remount-ro", "/"]);
        args.Add("--");
        if (asRoot)
        {
            args.AddRange([setprivPath, $"--reuid={uid}", $"--regid={gid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--"]);
        }
        args.AddRange([InitPathInBox, "--fd", Fd(InitSocketFd)]);
        return args;
    }

    // bwrap creates missing parents of a mount point with mode 0700, which the box user could not
    // traverse: create each one first, world-readable.
    private static void MakeParents(List<string> args, HashSet<string> made, string path)
    {
        var parent = Path.GetDirectoryName(path);
        if (parent is null || made.Contains(parent))
            return;
        MakeParents(args, made, parent);
        MakeDirectory(args, made, parent);
    }

    private static void MakeDirectory(List<string> args, HashSet<string> made, string path)
    {
        if (made.Add(path))
            args.AddRange(["--perms", "0755", "--dir", path]);
    }

    private static string Fd(int fd) => fd.ToString(CultureInfo.InvariantCulture);
}
