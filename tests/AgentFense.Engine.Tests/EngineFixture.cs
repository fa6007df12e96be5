using AgentFense.Engine;
using AgentFense.Policy;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Engine.Tests;

/// <summary>Managers on temp data directories, each with a cgroup group of its own (a start sweeps its group).</summary>
internal static class EngineFixture
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Gates on root, /dev/fuse, bwrap and setpriv (skip off CI, fail under CI=true).</summary>
    public static void Require()
    {
        Requires.Fuse();
        Requires.Bwrap();
        Requires.Program("setpriv");
    }

    public static string NewGroup() => $"agentfense-te-{Guid.NewGuid():N}"[..24];

    public static Task<SandboxManager> StartManagerAsync(string dataDirectory, string? group = null, long maxFileReadBytes = SandboxManagerOptions.DefaultMaxFileReadBytes) =>
        SandboxManager.StartAsync(new SandboxManagerOptions
        {
            DataDirectory = dataDirectory,
            CgroupGroupName = group ?? NewGroup(),
            InitPath = InitBinary.Path,
            Bubblewrap = new BubblewrapRuntimeOptions { StateDirectory = "/run/agentfense-tests" },
            MaxFileReadBytes = maxFileReadBytes,
        }, Token);

    /// <summary>A small codebase: README.md, src/app.py, .env (a secret), output/.</summary>
    public static TempDirectory Codebase()
    {
        var dir = new TempDirectory("agentfense-codebase-");
        // A temp dir is 0700; the box starts in the workspace before it drops to the box user (bwrap --chdir
        // as uid 0 without capabilities), so the root must be searchable by others, as codebases usually are.
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1ED /* 0755 */);
        dir.WriteFile("README.md", "# demo\n");
        dir.WriteFile("src/app.py", "print('hi')\n");
        dir.WriteFile(".env", "SECRET=1\n");
        dir.CreateDirectory("output");
        return dir;
    }

    public static SandboxSpec Spec(string codebase, IReadOnlyList<PermissionRule>? rules = null) =>
        new() { CodebasePath = codebase, Rules = rules ?? Presets.AgentSafe.Rules };

    public static Task<ExecResult> RunAsync(SandboxManager manager, string id, string command) =>
        manager.ExecAsync(id, new ExecOptions { Command = command, Timeout = TimeSpan.FromSeconds(30) }, Token);

    public static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    public static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
