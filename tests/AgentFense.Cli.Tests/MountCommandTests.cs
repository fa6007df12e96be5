using System.Diagnostics;
using AgentFense.TestSupport;

namespace AgentFense.Cli.Tests;

/// <summary><c>agentfense mount</c> as a real process: ready line, the view, signals, and stale mounts.</summary>
[Trait("Requires", "Fuse")]
public class MountCommandTests
{
    private static MountProcess StartMount(params string[] args) => new(args);

    private static Task<string> WaitReadyAsync(MountProcess process) => process.WaitReadyAsync();

    private static void Signal(MountProcess process, string signal) =>
        Process.Start("kill", ["-" + signal, process.Id.ToString()])!.WaitForExit();

    private static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    [Fact]
    public async Task Mount_ServesPolicyView_UntilSigint()
    {
        Requires.Fuse();
        using var dir = new TempDirectory();
        var mnt = dir["mnt"];
        using var process = StartMount("--preset", "agent-safe", "--delta", dir["delta"], RepoPaths.ExampleProject, mnt);
        try
        {
            var ready = await WaitReadyAsync(process);
            Assert.Contains("serving", ready);
            Assert.True(IsMounted(mnt));
            Assert.False(File.Exists(Path.Combine(mnt, ".env")));
            Assert.Contains("order tracking", File.ReadAllText(Path.Combine(mnt, "src/acme/__init__.py")));
            File.WriteAllText(Path.Combine(mnt, "output/report.txt"), "done");
            Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(Path.Combine(mnt, "README.md"), "x"));
            // The view's root looks like the source's root, not like the private delta directory.
            Assert.Equal(File.GetUnixFileMode(RepoPaths.ExampleProject), File.GetUnixFileMode(mnt));
        }
        finally
        {
            Signal(process, "INT");
            Assert.True(process.WaitForExit(30_000), "mount did not exit on SIGINT");
        }
        Assert.Equal(0, process.ExitCode);
        Assert.False(IsMounted(mnt));
        Assert.Contains("refused", process.Errors);
        Assert.Equal("done", File.ReadAllText(Path.Combine(dir["delta"], "output/report.txt")));
        Assert.False(File.Exists(Path.Combine(RepoPaths.ExampleProject, "output/report.txt")));
    }

    [Fact]
    public async Task Mount_KilledServer_NextMountClearsTheStaleMount()
    {
        Requires.Fuse();
        using var dir = new TempDirectory();
        var mnt = dir["mnt"];
        // A kept delta inside the test's directory: a killed mount cannot remove a temporary one.
        using (var first = StartMount("--preset", "read-only", "--delta", dir["delta"], RepoPaths.ExampleProject, mnt))
        {
            await WaitReadyAsync(first);
            first.Kill();
        }
        try
        {
            // The kernel keeps the dead mount: access fails with ENOTCONN.
            Assert.True(IsMounted(mnt));
            var e = Assert.ThrowsAny<IOException>(() => Directory.GetFileSystemEntries(mnt));
            Assert.Contains("not connected", e.Message);
            using var second = StartMount("--preset", "read-only", RepoPaths.ExampleProject, mnt);
            await WaitReadyAsync(second);
            Assert.True(File.Exists(Path.Combine(mnt, "README.md")));
            Signal(second, "TERM");
            Assert.True(second.WaitForExit(30_000));
            Assert.Equal(0, second.ExitCode);
        }
        finally
        {
            if (IsMounted(mnt))
                Process.Start("umount", ["-l", mnt])!.WaitForExit();
        }
        Assert.False(IsMounted(mnt));
    }

    [Theory]
    [InlineData("is not a directory", "/nonexistent-source", "/tmp/x-mnt")]
    [InlineData("not a size", "--delta-limit", "lots", ".", "/tmp/x-mnt")]
    [InlineData("may not be inside the source", ".", "./sub")]
    public async Task Mount_BadInput_ExitsTwo(string expected, params string[] args)
    {
        var (code, _, error) = await CliRunner.RunAsync(["mount", .. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    /// <summary>
    /// The CLI as a child process; stdout and stderr are drained continuously so a chatty child can never
    /// block on a full pipe.
    /// </summary>
    private sealed class MountProcess : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder _errors = new();

        public MountProcess(string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentfense.dll"));
            psi.ArgumentList.Add("mount");
            foreach (var arg in args)
                psi.ArgumentList.Add(arg);
            _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    _ready.TrySetResult(e.Data);
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_errors)
                    _errors.AppendLine(e.Data);
            };
            _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("mount exited before it was ready: " + Errors));
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public int ExitCode => _process.ExitCode;

        public string Errors
        {
            get
            {
                lock (_errors)
                    return _errors.ToString();
            }
        }

        public Task<string> WaitReadyAsync() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        public bool WaitForExit(int milliseconds)
        {
            if (!_process.WaitForExit(milliseconds))
                return false;
            _process.WaitForExit(); // drains the output events
            return true;
        }

        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill();
            _process.Dispose();
        }
    }
}
