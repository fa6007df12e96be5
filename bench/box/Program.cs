// Whole-box figures, side by side in one run: start-to-ready of a bwrap box through
// BubblewrapRuntime vs a bare `bwrap ... /bin/true`; exec latency through init vs native
// fork/exec; exec throughput across boxes; memory per idle box with N running.
// Usage (root): dotnet run -c Release --project bench/box -- [RUNS=200] [BOXES=100 500]
// AGENTFENSE_INIT_PATH names the AOT init (default .build/init/agentfense-init).
using System.Diagnostics;
using System.Globalization;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Init;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
int[] counts = args.Length > 1 ? [.. args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [100, 500];
var repo = FindRepo();
var init = Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") ?? Path.Combine(repo, ".build", "init", "agentfense-init");
if (!File.Exists(init))
    throw new InvalidOperationException($"no init at {init}: run the Runtime or Init tests once, or set AGENTFENSE_INIT_PATH");
var workspace = Directory.CreateTempSubdirectory("agentfense-bench-").FullName;
var cgroups = CgroupManager.Detect(groupName: "agentfense-bench");
await cgroups.SweepAsync();
var runtime = new BubblewrapRuntime(new BubblewrapRuntimeOptions { Cgroups = cgroups });
var id = 0;
BoxSpec Spec() => new() { Id = $"bench{Interlocked.Increment(ref id)}", WorkspaceHostPath = workspace, InitPath = init };

Console.WriteLine($"box bench: {runs} runs, {Environment.ProcessorCount} cpus, bwrap {Version("bwrap", "--version")}");

// 1. Start-to-ready (init's Hello), stop excluded, vs bare bwrap running /bin/true to exit.
await (await runtime.StartAsync(Spec())).StopAsync(); // warm up
var starts = new List<double>();
for (var i = 0; i < Math.Min(runs, 100); i++)
{
    var sw = Stopwatch.StartNew();
    var box = await runtime.StartAsync(Spec());
    starts.Add(sw.Elapsed.TotalMilliseconds);
    await box.StopAsync();
}
var bare = new List<double>();
string[] bareArgs = ["--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
    "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"];
for (var i = 0; i < Math.Min(runs, 100); i++)
    bare.Add(Time(() => Run("/usr/bin/bwrap", bareArgs)));
var shTrue = new List<double>();
for (var i = 0; i < Math.Min(runs, 100); i++)
    shTrue.Add(Time(() => Run("/bin/sh", ["-c", "true"])));
Report("start-to-ready, BubblewrapRuntime (cgroup+seccomp+/etc+init Hello)", starts);
Report("bare bwrap --unshare-all /bin/true (Process.Start to exit)", bare);
Report("native sh -c true (Process.Start to exit)", shTrue);

// 2. Exec latency of /bin/true through init in a running box vs native fork/exec, interleaved.
await using (var box = await runtime.StartAsync(Spec()))
{
    var exec = new ExecOptions { Argv = ["/bin/true"], Environment = box.Environment };
    for (var i = 0; i < 50; i++)
        await box.Client.ExecAsync(exec);
    var inBox = new List<double>();
    var native = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        await box.Client.ExecAsync(exec);
        inBox.Add(sw.Elapsed.TotalMilliseconds);
        native.Add(Time(() => Run("/bin/true", [])));
    }
    Report("exec /bin/true through init in a running box", inBox);
    Report("native fork/exec /bin/true (Process.Start)", native);
}

// 3. Throughput: 8 boxes, 2 concurrent exec loops each, 3 s.
{
    var boxes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => runtime.StartAsync(Spec())));
    var done = 0L;
    var until = DateTime.UtcNow.AddSeconds(3);
    await Task.WhenAll(boxes.SelectMany(b => Enumerable.Range(0, 2).Select(async _ =>
    {
        var exec = new ExecOptions { Argv = ["/bin/true"], Environment = b.Environment };
        while (DateTime.UtcNow < until)
        {
            await b.Client.ExecAsync(exec);
            Interlocked.Increment(ref done);
        }
    })));
    Console.WriteLine($"throughput: {done / 3.0:F0} commands/s across 8 boxes x 2 streams");
    await Task.WhenAll(boxes.Select(b => b.StopAsync()));
}

// 4. Memory per idle box with N running.
foreach (var n in counts)
{
    var before = MemAvailableKiB();
    var sw = Stopwatch.StartNew();
    var boxes = new List<Box>();
    try
    {
        for (var i = 0; i < n; i++)
            boxes.Add(await runtime.StartAsync(Spec()));
        var startAll = sw.Elapsed.TotalSeconds;
        await Task.Delay(1000);
        double pss = 0, cg = 0;
        foreach (var b in boxes)
        {
            pss += PssKiB(((BubblewrapBox)b).BwrapPid) + PssKiB(b.Pid);
            cg += b.MemoryUsageBytes / 1024.0;
        }
        var after = MemAvailableKiB();
        Console.WriteLine($"{n} idle boxes (started in {startAll:F1} s): PSS bwrap+init {pss / n / 1024:F2} MiB/box, cgroup memory.usage {cg / n / 1024:F2} MiB/box, " +
            $"MemAvailable drop {(before - after) / (double)n / 1024:F2} MiB/box");
    }
    catch (Exception e)
    {
        Console.WriteLine($"{n} boxes: stopped after {boxes.Count}: {e.Message}");
    }
    finally
    {
        sw.Restart();
        await Task.WhenAll(boxes.Select(b => b.StopAsync()));
        Console.WriteLine($"  stopped {boxes.Count} boxes in {sw.Elapsed.TotalSeconds:F1} s");
    }
}
cgroups.TryRemoveGroup();
Directory.Delete(workspace, recursive: true);

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static void Run(string program, string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
}

static void Report(string name, List<double> values)
{
    values.Sort();
    double P(double q) => values[Math.Min(values.Count - 1, (int)(q * values.Count))];
    Console.WriteLine($"{name}: p50 {P(0.50):F2} ms  p99 {P(0.99):F2} ms  (n={values.Count})");
}

static double PssKiB(int pid)
{
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
    }
    catch (IOException)
    {
    }
    return 0;
}

static long MemAvailableKiB() =>
    long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

static string Version(string program, string arg)
{
    using var process = Process.Start(new ProcessStartInfo(program, [arg]) { RedirectStandardOutput = true })!;
    var text = process.StandardOutput.ReadToEnd().Trim();
    process.WaitForExit();
    return text;
}

static string FindRepo()
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        if (File.Exists(Path.Combine(dir, "AgentFense.slnx")))
            return dir;
    }
    return Directory.GetCurrentDirectory();
}
