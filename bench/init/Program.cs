// Exec round trip of a trivial command through agentfense-init vs native fork/exec, in one run.
// Usage: dotnet run -c Release --project bench/init [-- RUNS]   (publishes init to .build/init first if missing)
using System.Diagnostics;
using AgentFense.Runtime.Init;

var runs = args.Length > 0 ? int.Parse(args[0]) : 2000;
var root = FindRoot();
var init = Path.Combine(root, ".build", "init", "agentfense-init");
if (!File.Exists(init))
{
    using var publish = Process.Start("dotnet", ["publish", Path.Combine(root, "src/AgentFense.Init/AgentFense.Init.csproj"), "-c", "Release", "-o", Path.GetDirectoryName(init)!, "-v", "quiet"]);
    publish.WaitForExit();
}

await using var box = await InitProcess.StartAsync(new InitLaunchOptions { FileName = init });
var client = box.Client;
var trueArgv = new ExecOptions { Argv = ["/bin/true"] };
var shTrue = new ExecOptions { Argv = ["/bin/sh", "-c", "true"] };

Console.WriteLine($"runs per method: {runs}; {Environment.ProcessorCount} cpus; init pid {box.Pid}");
Console.WriteLine($"{"method",-34} {"p50 ms",8} {"p99 ms",8} {"mean ms",8} {"cpu ms/cmd",11}");
for (var round = 0; round < 2; round++)
{
    // Round 0 warms up the JIT and the page cache; round 1 is reported.
    var report = round == 1;
    await Measure("native Process.Start /bin/true", () => { NativeRun("/bin/true"); return Task.CompletedTask; }, report, 0);
    await Measure("init exec /bin/true", () => client.ExecAsync(trueArgv), report, box.Pid);
    await Measure("native Process.Start sh -c true", () => { NativeRun("/bin/sh", "-c", "true"); return Task.CompletedTask; }, report, 0);
    await Measure("init exec sh -c true", () => client.ExecAsync(shTrue), report, box.Pid);
}

foreach (var parallel in new[] { 2, 8 })
{
    var sw = Stopwatch.StartNew();
    var count = 0;
    var until = TimeSpan.FromSeconds(3);
    await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
    {
        while (sw.Elapsed < until)
        {
            await client.ExecAsync(trueArgv);
            Interlocked.Increment(ref count);
        }
    }));
    Console.WriteLine($"throughput, {parallel} concurrent /bin/true through one init: {count / sw.Elapsed.TotalSeconds:F0} commands/s");
}

async Task Measure(string name, Func<Task> run, bool report, int initPid)
{
    var samples = new double[runs];
    var cpu0 = Cpu(Environment.ProcessId, children: initPid == 0) + (initPid == 0 ? 0 : Cpu(initPid, children: true));
    for (var i = 0; i < runs; i++)
    {
        var t0 = Stopwatch.GetTimestamp();
        await run();
        samples[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
    var cpu1 = Cpu(Environment.ProcessId, children: initPid == 0) + (initPid == 0 ? 0 : Cpu(initPid, children: true));
    if (!report)
        return;
    Array.Sort(samples);
    Console.WriteLine($"{name,-34} {samples[runs / 2],8:F3} {samples[(int)(runs * 0.99)],8:F3} {samples.Average(),8:F3} {(cpu1 - cpu0) / runs,11:F3}");
}

static void NativeRun(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in arguments)
        start.ArgumentList.Add(a);
    using var p = Process.Start(start)!;
    p.StandardOutput.ReadToEnd();
    p.WaitForExit();
}

// utime+stime (+cutime+cstime) from /proc/PID/stat, in ms.
static double Cpu(int pid, bool children)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    double ticks = long.Parse(f[11]) + long.Parse(f[12]) + (children ? long.Parse(f[13]) + long.Parse(f[14]) : 0);
    return ticks * 10; // USER_HZ = 100
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AgentFense.slnx")))
            return dir.FullName;
    }
    throw new InvalidOperationException("no AgentFense.slnx above the benchmark");
}
