using System.CommandLine;
using System.Runtime.InteropServices;
using AgentFense.Cli.Run;
using AgentFense.Engine;
using AgentFense.Init.Protocol;
using AgentFense.Policy;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Init;
using AgentFense.SandboxFs.Delta;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense run</c>: one command in a fresh sandbox over a directory, with a temporary delta; output
/// streamed live; the command's exit code (124 timeout, 137 OOM kill, 128+N signal N, 130/143 when the run
/// itself is interrupted). The directory changes only with <c>--apply</c>.
/// </summary>
/// <remarks>
/// Sequence: clean what earlier runs killed with SIGKILL left; start an engine on <c>run/&lt;pid&gt;/</c> of
/// the data directory (its own cgroup group <c>agentfense-run-&lt;pid&gt;</c>); create and start the sandbox;
/// run the command; then report (diff, export) and apply; finally stop everything and remove the run's
/// directory. SIGINT/SIGTERM cancel the command (init kills its process group) and go through the same
/// teardown.
/// </remarks>
internal static class RunCommand
{
    /// <summary>Exit code when the command ran past <c>--timeout</c> (as timeout(1)).</summary>
    public const int TimedOut = 124;

    /// <summary>Exit code when the kernel OOM-killed the command (128 + SIGKILL).</summary>
    public const int OomKilled = 137;

    /// <summary>Exit code when the command could not be started (not found, bad working directory).</summary>
    public const int CannotRun = 127;

    public static Command Create(CliConsole console)
    {
        var policy = new PolicyOptions();
        var runtime = new Option<string>("--runtime") { Description = "The box runtime (bwrap)", HelpName = "NAME", DefaultValueFactory = _ => "bwrap" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit of the box, e.g. 512M, 2G (OOM kill: exit 137)", HelpName = "SIZE" };
        var cpus = new Option<string?>("--cpus") { Description = "CPU limit in cores, e.g. 0.5 (a quota of 50 ms per 100 ms period)", HelpName = "N" };
        var pids = new Option<string?>("--pids") { Description = "Most processes and threads alive at once in the box", HelpName = "N" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Kill the command after this long, e.g. 30s, 500ms, 2m (exit 124)", HelpName = "DURATION" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set a variable for the command, KEY=VALUE; repeatable (nothing of this shell's environment is passed)", HelpName = "KEY=VALUE", Arity = ArgumentArity.ZeroOrMore };
        var network = new Option<bool>("--network") { Description = "Give the box outbound network (user-mode NAT; the host's loopback stays unreachable)" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory of the command, relative to /workspace unless absolute", HelpName = "DIR" };
        var diff = new Option<bool>("--diff") { Description = "Print what the command changed (added/modified/deleted, sizes) to stderr" };
        var apply = new Option<bool>("--apply") { Description = "Write the changes back into DIR (conflicts are reported); without it DIR is never modified" };
        var deltaLimit = new Option<string?>("--delta-limit") { Description = "Most bytes the command may write (the delta), e.g. 512M; writes past it fail with ENOSPC (default 10G)", HelpName = "SIZE" };
        var export = new Option<string?>("--export") { Description = "Write the changes as a tar file (deletions as .wh. whiteouts)", HelpName = "FILE.tar" };
        var directory = new Argument<string>("DIR") { Description = "The codebase, seen at /workspace through the policy" }.NotAnOption();
        var command = new Argument<string[]>("COMMAND") { Description = "The program and its arguments, after --", Arity = ArgumentArity.ZeroOrMore };
        var run = new Command("run", "Run COMMAND in a fresh sandbox over DIR and exit with its exit code " +
                                     "(without --preset/--rule/--rules: the agent-safe preset). Writes go to a temporary delta; " +
                                     "exit codes: the command's, 124 timeout, 137 OOM kill, 128+N killed by signal N, 130/143 interrupted, 2 usage error")
        {
            runtime, memory, cpus, pids, timeout, env, network, workdir, diff, apply, export, deltaLimit, directory, command,
        };
        policy.AddTo(run);
        run.SetAction((result, cancellationToken) =>
        {
            var settings = RunSettings.Parse(result.GetValue(directory)!, result.GetValue(command) ?? [], result.GetValue(runtime)!,
                result.GetValue(memory), result.GetValue(cpus), result.GetValue(pids), result.GetValue(timeout), result.GetValue(env) ?? [],
                result.GetValue(network), result.GetValue(workdir), result.GetValue(diff), result.GetValue(apply), result.GetValue(export),
                result.GetValue(deltaLimit));
            var rules = policy.ToRules(result, Presets.AgentSafe.Name);
            PolicyMatcher.Compile(rules);
            return RunAsync(settings, rules, console, cancellationToken);
        });
        return run;
    }

    private static async Task<int> RunAsync(RunSettings settings, IReadOnlyList<PermissionRule> rules, CliConsole console, CancellationToken cancellationToken)
    {
        var initPath = LocateInit() ?? throw new IOException(
            "agentfense-init not found: set AGENTFENSE_INIT_PATH or place it next to the agentfense binary (the ./agentfense script does both)");
        var dataDirectory = Environment.GetEnvironmentVariable("AGENTFENSE_DATA_DIR") is { Length: > 0 } d ? d : SandboxManagerOptions.DefaultDataDirectory;
        var runsDirectory = Path.Combine(dataDirectory, "run");
        var runDirectory = Path.Combine(runsDirectory, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signal = 0;
        void OnSignal(PosixSignalContext context, int number)
        {
            context.Cancel = true;
            Interlocked.CompareExchange(ref signal, number, 0);
            interrupt.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, 2));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, 15));
        void Log(string line) => console.Error.WriteLine($"agentfense: {line}");

        await RunLeftovers.CleanAsync(runsDirectory, Log);
        SandboxManager? manager = null;
        try
        {
            manager = await SandboxManager.StartAsync(new SandboxManagerOptions
            {
                DataDirectory = runDirectory,
                CgroupGroupName = RunLeftovers.GroupName(Environment.ProcessId),
                InitPath = initPath,
                Log = Log,
            }, interrupt.Token);
            var sandbox = manager.Create(new SandboxSpec
            {
                CodebasePath = settings.Directory,
                Rules = rules,
                Limits = settings.Limits,
                Environment = settings.Environment,
                Network = settings.Network,
                DeltaSizeLimit = settings.DeltaSizeLimit ?? SandboxFs.SandboxFsOptions.DefaultDeltaLimit,
            });
            await manager.StartAsync(sandbox.Id, interrupt.Token);
            var code = await ExecuteAsync(manager, sandbox.Id, settings, console, interrupt.Token);
            await manager.StopAsync(sandbox.Id, CancellationToken.None);
            if (signal == 0)
                await ReportAsync(manager, sandbox.Id, settings, console);
            return signal != 0 ? 128 + signal : code;
        }
        catch (OperationCanceledException) when (signal != 0 || cancellationToken.IsCancellationRequested)
        {
            return 128 + (signal != 0 ? signal : 2);
        }
        catch (BoxException e)
        {
            Log(e.Message);
            return ExitCodes.Failure;
        }
        finally
        {
            if (manager is not null)
                await manager.DisposeAsync();
            TryDelete(runDirectory);
        }
    }

    /// <summary>Runs the command, streaming its output; returns its exit code as the run reports it.</summary>
    private static async Task<int> ExecuteAsync(SandboxManager manager, string id, RunSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        var box = manager.GetBox(id);
        using var sink = new OutputSink(console);
        var options = new ExecOptions
        {
            Argv = settings.Command,
            Timeout = settings.Timeout,
            WorkingDirectory = settings.ResolveWorkingDirectory(box.Spec.WorkspacePath),
            OutputLimit = long.MaxValue,
            // Piped input goes to the command (binary-safe); a terminal or no input is /dev/null, so nothing waits on a tty.
            StreamStdin = sink.IsRaw && Console.IsInputRedirected,
        };
        ExitStatus? exit = null;
        try
        {
            await using var execution = await manager.StartCommandAsync(id, options, cancellationToken);
            if (options.StreamStdin)
                _ = PumpStdinAsync(execution, cancellationToken);
            await foreach (var chunk in execution.ReadOutputAsync(cancellationToken))
            {
                if (chunk.Exit is { } status)
                    exit = status;
                else
                    await sink.WriteAsync(chunk.Stream, chunk.Data);
            }
        }
        catch (InitException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (box.OomKillCount > 0)
            {
                console.Error.WriteLine("agentfense: the box ran out of memory (OOM kill)");
                return OomKilled;
            }
            console.Error.WriteLine($"agentfense: {e.Message}");
            return CannotRun;
        }
        if (exit is not { } result)
            return ExitCodes.Failure;
        if (result.Flags.HasFlag(ExitFlags.TimedOut))
        {
            console.Error.WriteLine($"agentfense: the command timed out after {settings.Timeout!.Value.TotalSeconds:0.###}s and was killed");
            return TimedOut;
        }
        if (result.Signal == 9 && box.OomKillCount > 0)
        {
            console.Error.WriteLine("agentfense: the command was killed: out of memory (OOM kill)");
            return OomKilled;
        }
        return result.ShellExitCode;
    }

    /// <summary>Copies this process's stdin to the command until end of file, then closes the command's stdin.</summary>
    private static async Task PumpStdinAsync(CommandExecution execution, CancellationToken cancellationToken)
    {
        try
        {
            await using var stdin = Console.OpenStandardInput();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
                await execution.WriteStdinAsync(buffer.AsMemory(0, n), cancellationToken);
            await execution.CloseStdinAsync();
        }
        catch (Exception e) when (e is InitException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The command ended (or stopped reading) first; what it did not read is dropped.
        }
    }

    /// <summary>--diff, --export, then --apply (which empties the delta, so it goes last).</summary>
    private static async Task ReportAsync(SandboxManager manager, string id, RunSettings settings, CliConsole console)
    {
        if (settings.Diff)
        {
            var changes = await manager.ListChangesAsync(id);
            console.Error.WriteLine(changes.Count == 0 ? "agentfense: no changes" : $"agentfense: {changes.Count} change(s):");
            foreach (var change in changes)
                console.Error.WriteLine($"  {Describe(change.Kind),-8} {change.Path}{(change.EntryKind == FileKind.Directory ? "/" : "")}  ({change.Size} bytes)");
        }
        if (settings.ExportPath is { } path)
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
                await manager.ExportAsync(id, file);
            console.Error.WriteLine($"agentfense: changes exported to {path}");
        }
        if (settings.Apply)
        {
            var result = await manager.CommitAsync(id);
            console.Error.WriteLine($"agentfense: applied {result.Applied.Count} change(s) to {settings.Directory}");
            foreach (var conflict in result.Conflicts)
                console.Error.WriteLine($"agentfense: conflict: {conflict.Path} changed in {settings.Directory} while the command ran; the sandbox's version was written");
        }
    }

    private static string Describe(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => "added",
        ChangeKind.Modified => "modified",
        _ => "deleted",
    };

    /// <summary><c>AGENTFENSE_INIT_PATH</c>, else <c>agentfense-init</c> next to this program.</summary>
    internal static string? LocateInit()
    {
        if (Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") is { Length: > 0 } given)
            return File.Exists(given) ? given : null;
        var beside = Path.Combine(AppContext.BaseDirectory, "agentfense-init");
        return File.Exists(beside) ? beside : null;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
