// The cost of metrics, side by side in one run: exec latency of /bin/true through the engine and small-file reads
// per second through a sandbox's FUSE view, with no meter listener ("off") and with an OpenTelemetry MeterProvider
// subscribed to every AgentFense meter as the server configures it ("on"), in alternating rounds so that drift of
// the machine hits both modes alike. Reports each mode's median over the rounds and the spread (min..max).
// Then the cost of one collection (what a scrape triggers) with SANDBOXES running sandboxes.
// Usage (root): dotnet run -c Release --project bench/observability -- [ROUNDS=8] [EXECS=300] [FILES=2000] [SANDBOXES=0]
// AGENTFENSE_INIT_PATH names the AOT init (default .build/init/agentfense-init).
using System.Diagnostics;
using System.Globalization;
using AgentFense.Engine;
using AgentFense.Engine.Diagnostics;
using AgentFense.Fuse.Diagnostics;
using AgentFense.Policy;
using AgentFense.Runtime.Init;
using AgentFense.SandboxFs.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
var execs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
var files = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
var scrapeSandboxes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
var repo = RepoRoot();
var init = Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") ?? Path.Combine(repo, ".build", "init", "agentfense-init");
if (!File.Exists(init))
    throw new InvalidOperationException($"no init at {init}: run ./agentfense once, or set AGENTFENSE_INIT_PATH");
var data = Directory.CreateTempSubdirectory("agentfense-obs-bench-").FullName;
var codebase = Path.Combine(data, "codebase");
for (var i = 0; i < files; i++)
{
    var directory = Path.Combine(codebase, $"d{i / 100:D2}");
    Directory.CreateDirectory(directory);
    File.WriteAllBytes(Path.Combine(directory, $"f{i:D5}.txt"), new byte[1024]);
}
await using var manager = await SandboxManager.StartAsync(new SandboxManagerOptions
{
    DataDirectory = Path.Combine(data, "engine"),
    CgroupGroupName = "agentfense-bench-obs",
    InitPath = init,
    Log = line => Console.Error.WriteLine(line),
});
var id = manager.Create(new SandboxSpec { CodebasePath = codebase, Rules = Presets.ReadOnly.Rules }).Id;
await manager.StartAsync(id);
var view = manager.MountPath(id);
var paths = Directory.EnumerateFiles(view, "*.txt", SearchOption.AllDirectories).ToArray();
Console.WriteLine($"observability bench: {rounds} rounds x ({execs} execs, {paths.Length} files read x 3), {Environment.ProcessorCount} cpus");

var results = new Dictionary<string, List<(double ExecP50, double ExecP99, double ReadsPerSecond)>> { ["off"] = [], ["on"] = [] };
try
{
    // Warm both paths (JIT, caches) before measuring.
    await ExecRoundAsync(50);
    ReadRound(1);
    for (var round = 0; round < rounds; round++)
    {
        // Alternate which mode goes first so neither always runs on a warmer machine.
        foreach (var mode in round % 2 == 0 ? new[] { "off", "on" } : ["on", "off"])
        {
            using var provider = mode == "on" ? Subscribe() : null;
            var latencies = await ExecRoundAsync(execs);
            var readsPerSecond = ReadRound(3);
            results[mode].Add((Percentile(latencies, 0.5), Percentile(latencies, 0.99), readsPerSecond));
        }
    }
}
finally
{
    await manager.DestroyAsync(id);
}
try
{
    if (scrapeSandboxes > 0)
        await ScrapeCostAsync(scrapeSandboxes);
}
finally
{
    foreach (var record in manager.List())
        await manager.DestroyAsync(record.Id);
    Directory.Delete(data, recursive: true);
}
foreach (var (mode, rows) in results)
{
    Console.WriteLine($"metrics {mode,-3}: exec p50 {Median(rows.Select(r => r.ExecP50)):F3} ms [{rows.Min(r => r.ExecP50):F3}..{rows.Max(r => r.ExecP50):F3}]" +
        $"  p99 {Median(rows.Select(r => r.ExecP99)):F3} ms [{rows.Min(r => r.ExecP99):F3}..{rows.Max(r => r.ExecP99):F3}]" +
        $"  small-file reads {Median(rows.Select(r => r.ReadsPerSecond)):F0}/s [{rows.Min(r => r.ReadsPerSecond):F0}..{rows.Max(r => r.ReadsPerSecond):F0}]");
}

async Task ScrapeCostAsync(int count)
{
    var spec = new SandboxSpec { CodebasePath = codebase, Rules = Presets.ReadOnly.Rules };
    var started = Stopwatch.StartNew();
    for (var i = 0; i < count; i += 25)
        await Task.WhenAll(Enumerable.Range(i, Math.Min(25, count - i)).Select(_ => manager.StartAsync(manager.Create(spec).Id)));
    Console.WriteLine($"{count} sandboxes running (started in {started.Elapsed.TotalSeconds:F1} s)");
    var exported = new List<Metric>();
    var reader = new BaseExportingMetricReader(new InMemoryExporter<Metric>(exported));
    using var provider = Sdk.CreateMeterProviderBuilder()
        .AddMeter(FuseMetrics.MeterName, SandboxFsMetrics.MeterName, EngineMetrics.MeterName).AddReader(reader).Build();
    var times = new List<double>();
    for (var i = 0; i < 21; i++)
    {
        // Past the readers' sharing window, as between two real scrapes: every box's files are read again.
        await Task.Delay(300);
        exported.Clear();
        var start = Stopwatch.GetTimestamp();
        reader.Collect();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    var series = exported.Sum(m => { var n = 0; foreach (ref readonly var point in m.GetMetricPoints()) n++; return n; });
    Console.WriteLine($"collection with {count} running sandboxes: {Percentile(times, 0.5):F2} ms median [{times.Min():F2}..{times.Max():F2}], {series} series");
}

MeterProvider Subscribe() =>
    // The server's subscription (its exporter only formats at scrape time); a manual reader collects nothing unless asked.
    Sdk.CreateMeterProviderBuilder()
        .AddMeter(FuseMetrics.MeterName, SandboxFsMetrics.MeterName, EngineMetrics.MeterName)
        .AddReader(new BaseExportingMetricReader(new InMemoryExporter<Metric>(new List<Metric>())))
        .Build();

async Task<List<double>> ExecRoundAsync(int count)
{
    var exec = new ExecOptions { Argv = ["/bin/true"] };
    var latencies = new List<double>(count);
    for (var i = 0; i < count; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await manager.ExecAsync(id, exec);
        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    return latencies;
}

double ReadRound(int passes)
{
    var buffer = new byte[4096];
    var start = Stopwatch.GetTimestamp();
    for (var pass = 0; pass < passes; pass++)
    {
        foreach (var path in paths)
        {
            using var file = File.OpenHandle(path);
            RandomAccess.Read(file, buffer, 0);
        }
    }
    return passes * paths.Length / Stopwatch.GetElapsedTime(start).TotalSeconds;
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

static double Median(IEnumerable<double> values) => Percentile([.. values], 0.5);

static string RepoRoot()
{
    var directory = AppContext.BaseDirectory;
    while (directory is not null && !File.Exists(Path.Combine(directory, "AgentFense.slnx")))
        directory = Path.GetDirectoryName(directory);
    return directory ?? throw new InvalidOperationException("run from inside the repository");
}
