// Whole-engine figures, each beside its baseline in the same run:
//  1. start-to-ready of a sandbox through SandboxManager (FUSE mount of the policy view + bwrap box +
//     init Hello) — and its stop — vs a bare `bwrap ... /bin/true`;
//  2. exec latency of /bin/true through the engine in a running sandbox vs native fork/exec;
//  3. exec throughput across several running sandboxes;
//  4. memory per idle running sandbox (box PSS + the engine's growth + kernel, as MemAvailable drop).
// Usage (root): dotnet run -c Release --project bench/engine -- [RUNS=200] [SANDBOXES=100]
// AGENTFENSE_INIT_PATH names the AOT init (default .build/init/agentfense-init).
using System.Diagnostics;
using System.Globalization;
using AgentFense.Engine;
using AgentFense.Policy;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Init;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var idleCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var repo = RepoRoot();
var init = Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") ?? Path.Combine(repo, ".build", "init", "agentfense-init");
if (!File.Exists(init))
    throw new InvalidOperationException($"no init at {init}: run ./agentfense once, or set AGENTFENSE_INIT_PATH");
var data = Directory.CreateTempSubdirectory("agentfense-engine-bench-").FullName;
var codebase = Path.Combine(repo, "examples", "acme-api");
await using var manager = await SandboxManager.StartAsync(new SandboxManagerOptions
{
    DataDirectory = data,
    CgroupGroupName = "agentfense-bench-engine",
    InitPath = init,
    Log = line => Console.Error.WriteLine(line),
});
var spec = new SandboxSpec { CodebasePath = codebase, Rules = Presets.AgentSafe.Rules };
Console.WriteLine($"engine bench: {runs} runs, {Environment.ProcessorCount} cpus, codebase {codebase}");

try
{
    await StartStopAsync();
    await ExecLatencyAsync();
    await ThroughputAsync(8, 2, TimeSpan.FromSeconds(3));
    await IdleMemoryAsync(idleCount);
}
finally
{
    foreach (var record in manager.List())
        await manager.DestroyAsync(record.Id);
}
Directory.Delete(data, recursive: true);

async Task StartStopAsync()
{
    var warm = manager.Create(spec).Id;
    await manager.StartAsync(warm);
    await manager.DestroyAsync(warm);
    var starts = new List<double>();
    var stops = new List<double>();
    for (var i = 0; i < Math.Min(runs, 100); i++)
    {
        var id = manager.Create(spec).Id;
        var sw = Stopwatch.StartNew();
        await manager.StartAsync(id);
        starts.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await manager.StopAsync(id);
        stops.Add(sw.Elapsed.TotalMilliseconds);
        await manager.DestroyAsync(id);
    }
    string[] bare = ["--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"];
    var bwrap = new List<double>();
    for (var i = 0; i < Math.Min(runs, 100); i++)
        bwrap.Add(Time(() => Spawn("/usr/bin/bwrap", bare)));
    Report("sandbox start-to-ready (create excluded; FUSE mount + box + init Hello)", starts);
    Report("sandbox stop (box killed and reaped, cgroup removed, unmounted)", stops);
    Report("bare bwrap --unshare-all /bin/true (spawn to exit)", bwrap);
}

async Task ExecLatencyAsync()
{
    var id = manager.Create(spec).Id;
    await manager.StartAsync(id);
    var exec = new ExecOptions { Argv = ["/bin/true"] };
    for (var i = 0; i < 50; i++)
        await manager.ExecAsync(id, exec);
    var engine = new List<double>();
    var native = new List<double>();
    var shell = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        await manager.ExecAsync(id, exec);
        engine.Add(sw.Elapsed.TotalMilliseconds);
        native.Add(Time(() => Spawn("/bin/true", [])));
        shell.Add(Time(() => Spawn("/bin/sh", ["-c", "true"])));
    }
    Report("exec /bin/true through the engine (running sandbox)", engine);
    Report("native fork/exec /bin/true (Process.Start to exit)", native);
    Report("native sh -c true (Process.Start to exit)", shell);
    await manager.DestroyAsync(id);
}

async Task ThroughputAsync(int sandboxes, int streams, TimeSpan duration)
{
    var ids = Enumerable.Range(0, sandboxes).Select(_ => manager.Create(spec).Id).ToList();
    await Task.WhenAll(ids.Select(id => manager.StartAsync(id)));
    var exec = new ExecOptions { Argv = ["/bin/true"] };
    var done = 0L;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var until = DateTime.UtcNow + duration;
    await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, streams).Select(async _ =>
    {
        while (DateTime.UtcNow < until)
        {
            await manager.ExecAsync(id, exec);
            Interlocked.Increment(ref done);
        }
    })));
    var engineCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
    Console.WriteLine($"throughput: {done / duration.TotalSeconds:F0} commands/s across {sandboxes} sandboxes x {streams} streams " +
                      $"(engine process CPU {engineCpu / done:F3} ms/command)");
    await Task.WhenAll(ids.Select(id => manager.DestroyAsync(id)));
}

async Task IdleMemoryAsync(int count)
{
    var before = MemAvailableKiB();
    var ids = new List<string>();
    var sw = Stopwatch.StartNew();
    try
    {
        for (var i = 0; i < count; i++)
        {
            var id = manager.Create(spec).Id;
            await manager.StartAsync(id);
            ids.Add(id);
        }
        var started = sw.Elapsed.TotalSeconds;
        await Task.Delay(1000);
        double pss = 0;
        foreach (var id in ids)
        {
            var box = (BubblewrapBox)manager.GetBox(id);
            pss += PssKiB(box.BwrapPid) + PssKiB(box.Pid);
        }
        var after = MemAvailableKiB();
        Console.WriteLine($"{count} idle sandboxes (started in {started:F1} s): PSS bwrap+init {pss / count / 1024:F2} MiB each, " +
                          $"MemAvailable drop {(before - after) / (double)count / 1024:F2} MiB each (mount, box, engine state, kernel)");
    }
    catch (Exception e)
    {
        Console.WriteLine($"{count} idle sandboxes: stopped after {ids.Count}: {e.Message}");
    }
    finally
    {
        sw.Restart();
        await Task.WhenAll(ids.Select(id => manager.DestroyAsync(id)));
        Console.WriteLine($"  destroyed {ids.Count} sandboxes in {sw.Elapsed.TotalSeconds:F1} s");
    }
}

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static void Spawn(string program, string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
}

static void Report(string name, List<double> values)
{
    values.Sort();
    double At(double q) => values[Math.Min(values.Count - 1, (int)(q * values.Count))];
    Console.WriteLine($"{name}: p50 {At(0.50):F2} ms  p99 {At(0.99):F2} ms  (n={values.Count})");
}

static double PssKiB(int pid)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    catch (IOException)
    {
        return 0;
    }
}

static long MemAvailableKiB() => long.Parse(
    File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
    CultureInfo.InvariantCulture);

static string RepoRoot()
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        if (File.Exists(Path.Combine(dir, "AgentFense.slnx")))
            return dir;
    }
    return Directory.GetCurrentDirectory();
}
