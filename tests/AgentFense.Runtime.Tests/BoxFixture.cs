using System.Globalization;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Docker;
using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

/// <summary>
/// Helpers for tests that start real boxes (as root, on this host's cgroups) of either runtime: the box suite
/// is one set of theories over <see cref="Runtimes"/>, each runtime started the same way.
/// </summary>
internal static class BoxFixture
{
    /// <summary>The cgroup group (bwrap) and container label group (docker) of the tests' boxes, apart from a real engine's <c>agentfense</c>.</summary>
    public const string GroupName = "agentfense-tests";

    /// <summary>The runtimes the box suite runs over.</summary>
    public static TheoryData<string> Runtimes => new() { "bwrap", "docker" };

    private static readonly Lazy<BubblewrapRuntime> s_runtime = new(() =>
        new BubblewrapRuntime(new BubblewrapRuntimeOptions { Cgroups = CgroupManager.Detect(groupName: GroupName) }));

    private static readonly Lazy<DockerRuntime> s_docker = new(() =>
        new DockerRuntime(new DockerRuntimeOptions { GroupName = GroupName, DefaultImage = TestImages.Debian }));

    /// <summary>The bwrap runtime of the tests.</summary>
    public static BubblewrapRuntime Runtime => s_runtime.Value;

    /// <summary>The docker runtime of the tests (default image: the local Debian-based test image).</summary>
    public static DockerRuntime Docker => s_docker.Value;

    /// <summary>The runtime named <paramref name="name"/>.</summary>
    public static IBoxRuntime For(string name) => name switch
    {
        "bwrap" => Runtime,
        "docker" => Docker,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such runtime"),
    };

    /// <summary>Gates on root and bwrap (skip off CI, fail under CI=true).</summary>
    public static void Require()
    {
        Requires.Root();
        Requires.Bwrap();
        Requires.Program("setpriv");
    }

    /// <summary>Gates on what runtime <paramref name="name"/> needs; for docker also builds the test images.</summary>
    public static void Require(string name)
    {
        if (name == "bwrap")
        {
            Require();
            return;
        }
        Requires.Root();
        Requires.Docker();
        TestImages.Ensure();
    }

    public static string NewId() => $"t{Guid.NewGuid():N}"[..20];

    /// <summary>A workspace the box user (1000) owns.</summary>
    public static TempDirectory Workspace()
    {
        var dir = new TempDirectory("agentfense-box-");
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Chown(dir.Path, 1000, 1000);
        return dir;
    }

    public static BoxSpec Spec(string workspace, Func<BoxSpec, BoxSpec>? change = null)
    {
        var spec = new BoxSpec { Id = NewId(), WorkspaceHostPath = workspace, InitPath = InitBinary.Path };
        return change is null ? spec : change(spec);
    }

    public static async Task<ExecResult> RunAsync(Box box, string command, TimeSpan? timeout = null) =>
        await box.Client.ExecAsync(box.WithDefaults(new ExecOptions { Command = command, Timeout = timeout ?? TimeSpan.FromSeconds(30) }),
            TestContext.Current.CancellationToken);

    /// <summary>
    /// The cgroup v1 directory of <paramref name="controller"/> (or the v2 directory) that the box's init is in, read
    /// from <c>/proc/PID/cgroup</c>: the same place for both runtimes, whoever made the cgroup.
    /// </summary>
    public static string CgroupDirectory(Box box, string controller)
    {
        var lines = File.ReadAllLines($"/proc/{box.Pid.ToString(CultureInfo.InvariantCulture)}/cgroup");
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains(controller))
                return Path.Join("/sys/fs/cgroup", controller, parts[2]);
        }
        var unified = lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        return Path.Join("/sys/fs/cgroup", unified[3..]);
    }

    /// <summary>Pids of the processes in a cgroup directory.</summary>
    public static List<int> Processes(string cgroupDirectory) =>
        [.. File.ReadAllLines(Path.Combine(cgroupDirectory, "cgroup.procs")).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];

    private static void Chown(string path, int uid, int gid)
    {
        using var process = System.Diagnostics.Process.Start("chown", [$"{uid}:{gid}", path]);
        process.WaitForExit();
    }
}
