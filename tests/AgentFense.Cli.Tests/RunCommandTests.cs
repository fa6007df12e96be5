using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using AgentFense.TestSupport;

namespace AgentFense.Cli.Tests;

/// <summary><c>agentfense run</c> as a real process: exit codes, streaming, the delta options, and cleanup on signals.</summary>
[Trait("Requires", "Bwrap")]
public sealed class RunCommandTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static void Require()
    {
        Requires.Fuse();
        Requires.Bwrap();
        Requires.Program("setpriv");
    }

    [Theory]
    [InlineData(0, "", "true")]
    [InlineData(3, "", "sh|-c|exit 3")]
    [InlineData(124, "--timeout|1s", "sleep|30")]
    [InlineData(137, "--memory|48M", "python3|-c|x = bytearray(400 * 1024 * 1024)")]
    [InlineData(128 + 15, "", "sh|-c|kill -TERM $$")]
    [InlineData(127, "", "/no/such/program")]
    public async Task Run_Command_ExitsWithItsCode(int expected, string options, string command)
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        string[] args = [.. options.Split('|', StringSplitOptions.RemoveEmptyEntries), RepoPaths.ExampleProject, "--", .. command.Split('|')];
        using var run = RunProcess.Start(data.Path, args);
        Assert.Equal(expected, await run.WaitAsync());
        AssertNothingLeft(data.Path, run.Pid);
    }

    [Theory]
    [InlineData("is not a directory", "/nonexistent-codebase", "--", "true")]
    [InlineData("--cpus", "--cpus", "lots", ".", "--", "true")]
    [InlineData("--memory", "--memory", "huge", ".", "--", "true")]
    [InlineData("--timeout", "--timeout", "soon", ".", "--", "true")]
    [InlineData("--env", "--env", "NOEQUALS", ".", "--", "true")]
    [InlineData("no command", ".")]
    [InlineData("unknown preset", "--preset", "nope", ".", "--", "true")]
    public async Task Run_BadInput_ExitsTwoNamingIt(string expected, params string[] args)
    {
        var (code, _, error) = await CliRunner.RunAsync(["run", .. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Run_DeltaLimit_WritesPastItFailWithEnospc()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        using var run = RunProcess.Start(data.Path, "--delta-limit", "1M", RepoPaths.ExampleProject, "--", "sh", "-c",
            "echo small > output/small.txt && head -c 3000000 /dev/zero > output/big.bin; echo rc=$?; cat output/small.txt");
        Assert.Equal(0, await run.WaitAsync());
        Assert.Contains("No space left on device", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("rc=1", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("small\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Output_StreamedLiveAndInOrder()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        using var run = RunProcess.Start(data.Path, RepoPaths.ExampleProject, "--", "sh", "-c",
            "for i in 1 2 3; do echo out$i; echo err$i >&2; done; echo first; sleep 2; echo second");
        await run.WaitForLineAsync("first");
        Assert.False(run.HasExited, "the first line arrived only when the command ended");
        Assert.Equal(0, await run.WaitAsync());
        Assert.Equal("out1\nout2\nout3\nfirst\nsecond\n", run.Stdout);
        Assert.StartsWith("err1\nerr2\nerr3\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PipedStdin_ReachesTheCommand()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        using var run = RunProcess.WithStdin(data.Path, "line one\nline two\n", RepoPaths.ExampleProject, "--", "sh", "-c", "wc -l; cat; echo done");
        Assert.Equal(0, await run.WaitAsync());
        Assert.Equal("2\ndone\n", run.Stdout.Replace(" ", ""));
    }

    [Fact]
    public async Task Run_EnvAndWorkdir_OnlyGivenVariablesInTheGivenDirectory()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        using var run = RunProcess.Start(data.Path, ["--env", "GREETING=hello", "--workdir", "src", RepoPaths.ExampleProject, "--", "sh", "-c", "echo $GREETING; pwd; env"],
            ("AGENTFENSE_RUN_TEST_SECRET", "leaked"));
        Assert.Equal(0, await run.WaitAsync());
        Assert.StartsWith("hello\n/workspace/src\n", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("AGENTFENSE_RUN_TEST_SECRET", run.Stdout);
    }

    [Fact]
    public async Task Run_DiffAndExport_ReportChangesAndLeaveDirUntouched()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        var tar = Path.Combine(data.Path, "changes.tar");
        using var run = RunProcess.Start(data.Path, "--diff", "--export", tar, RepoPaths.ExampleProject, "--", "sh", "-c",
            "echo report > output/run-test.txt; cat .env; echo x >> README.md");
        Assert.Equal(2, await run.WaitAsync()); // sh: cannot create README.md (read-only by the policy)
        Assert.Contains("added    output/run-test.txt  (7 bytes)", run.Stderr);
        Assert.False(File.Exists(Path.Combine(RepoPaths.ExampleProject, "output/run-test.txt")));
        using var reader = new TarReader(File.OpenRead(tar));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
            names.Add(entry.Name);
        Assert.Contains(names, n => n.TrimStart('.', '/') == "output/run-test.txt");
    }

    [Fact]
    public async Task Run_Apply_WritesTheChangesIntoDir()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        var copy = CopyTree(RepoPaths.ExampleProject, Path.Combine(data.Path, "acme-api"));
        var readme = File.ReadAllText(Path.Combine(copy, "README.md"));
        using var run = RunProcess.Start(data.Path, "--apply", "--preset", "agent-safe", "--rule", "README.md=write@20", copy, "--", "sh", "-c",
            "echo report > output/applied.txt && echo more >> README.md");
        Assert.Equal(0, await run.WaitAsync());
        Assert.Equal("report\n", File.ReadAllText(Path.Combine(copy, "output/applied.txt")));
        Assert.Equal(readme + "more\n", File.ReadAllText(Path.Combine(copy, "README.md")));
        Assert.Contains("applied 2 change(s)", run.Stderr);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task Run_SignalMidCommand_KillsItAndLeavesNothing(string signal, int expected)
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        using var run = RunProcess.Start(data.Path, RepoPaths.ExampleProject, "--", "sh", "-c", "echo started; sleep 60");
        await run.WaitForLineAsync("started");
        Assert.True(Directory.Exists(Path.Combine(data.Path, "run", run.Pid.ToString())));
        Process.Start("kill", [$"-{signal}", run.Pid.ToString()])!.WaitForExit();
        Assert.Equal(expected, await run.WaitAsync());
        AssertNothingLeft(data.Path, run.Pid);
    }

    [Fact]
    public async Task Run_AfterAKilledRun_CleansWhatItLeft()
    {
        Require();
        using var data = new TempDirectory("agentfense-run-");
        int killed;
        using (var first = RunProcess.Start(data.Path, RepoPaths.ExampleProject, "--", "sh", "-c", "echo started; sleep 60"))
        {
            await first.WaitForLineAsync("started");
            killed = first.Pid;
            first.Kill();
        }
        Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(Path.Combine(data.Path, "run", killed.ToString()), StringComparison.Ordinal));
        using var second = RunProcess.Start(data.Path, RepoPaths.ExampleProject, "--", "true");
        Assert.Equal(0, await second.WaitAsync());
        Assert.Contains("cleaned up after an earlier run", second.Stderr);
        AssertNothingLeft(data.Path, killed);
        AssertNothingLeft(data.Path, second.Pid);
    }

    /// <summary>No run directory, mount or cgroup group of the run with <paramref name="pid"/> remains.</summary>
    private static void AssertNothingLeft(string dataDirectory, int pid)
    {
        var runDirectory = Path.Combine(dataDirectory, "run", pid.ToString());
        Assert.False(Directory.Exists(runDirectory), $"{runDirectory} is left");
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(runDirectory, StringComparison.Ordinal));
        foreach (var controller in new[] { "memory", "cpu", "pids" })
        {
            var root = Path.Combine("/sys/fs/cgroup", controller);
            if (Directory.Exists(root))
                Assert.Empty(Directory.EnumerateDirectories(root, $"agentfense-run-{pid}", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }));
        }
    }

    private static string CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, File.GetUnixFileMode(source));
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var to = Path.Combine(target, entry.Name);
            if (entry is DirectoryInfo)
                CopyTree(entry.FullName, to);
            else
                File.Copy(entry.FullName, to);
        }
        // A temp parent is 0700: the box starts in the workspace before dropping to the box user.
        File.SetUnixFileMode(Path.GetDirectoryName(target)!, (UnixFileMode)0x1ED);
        return target;
    }

    /// <summary>The CLI as a child process, output drained continuously.</summary>
    private sealed class RunProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly List<(string Line, TaskCompletionSource Seen)> _waiters = [];

        private RunProcess(string dataDirectory, string[] args, (string, string)[] environment, string? stdin = null)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentfense.dll"));
            psi.ArgumentList.Add("run");
            foreach (var arg in args)
                psi.ArgumentList.Add(arg);
            psi.Environment["AGENTFENSE_INIT_PATH"] = InitBinary.Path;
            psi.Environment["AGENTFENSE_DATA_DIR"] = dataDirectory;
            foreach (var (key, value) in environment)
                psi.Environment[key] = value;
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, notify: true);
            _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, notify: false);
            _process.Start();
            if (stdin is not null)
                _process.StandardInput.Write(stdin);
            _process.StandardInput.Close();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Pid => _process.Id;

        public bool HasExited => _process.HasExited;

        public string Stdout
        {
            get
            {
                lock (_stdout)
                    return _stdout.ToString();
            }
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                    return _stderr.ToString();
            }
        }

        public static RunProcess Start(string dataDirectory, params string[] args) => new(dataDirectory, args, []);

        public static RunProcess Start(string dataDirectory, string[] args, params (string, string)[] environment) => new(dataDirectory, args, environment);

        public static RunProcess WithStdin(string dataDirectory, string stdin, params string[] args) => new(dataDirectory, args, [], stdin);

        public Task WaitForLineAsync(string line)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_stdout)
            {
                if (_stdout.ToString().Split('\n').Contains(line))
                    return Task.CompletedTask;
                _waiters.Add((line, seen));
            }
            return seen.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
        }

        public async Task<int> WaitAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                Kill();
            _process.Dispose();
        }

        private void Append(StringBuilder buffer, string? line, bool notify)
        {
            if (line is null)
                return;
            lock (buffer)
            {
                buffer.Append(line).Append('\n');
                if (!notify)
                    return;
                foreach (var waiter in _waiters.Where(w => w.Line == line).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
