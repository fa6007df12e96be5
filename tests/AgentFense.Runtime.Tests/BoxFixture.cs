using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

/// <summary>Helpers for tests that start real bwrap boxes (as root, on this host's cgroups).</summary>
internal static class BoxFixture
{
    /// <summary>The cgroup group the tests' boxes live in (kept apart from a real engine's <c>agentfense</c>).</summary>
    public const string GroupName = "agentfense-tests";

    private static readonly Lazy<BubblewrapRuntime> s_runtime = new(() =>
        new BubblewrapRuntime(new BubblewrapRuntimeOptions { Cgroups = CgroupManager.Detect(groupName: GroupName) }));

    public static BubblewrapRuntime Runtime => s_runtime.Value;

    /// <summary>Gates on root and bwrap (skip off CI, fail under CI=true).</summary>
    public static void Require()
    {
        Requires.Root();
        Requires.Bwrap();
        Requires.Program("setpriv");
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

    private static void Chown(string path, int uid, int gid)
    {
        using var process = System.Diagnostics.Process.Start("chown", [$"{uid}:{gid}", path]);
        process.WaitForExit();
    }
}
