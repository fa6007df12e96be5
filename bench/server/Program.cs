// Server figures over the API, each beside its baseline in the same run:
//  1. CreateSandbox and StartSandbox latency over gRPC (an `agentfense serve` child process, loopback);
//  2. Exec `true` over gRPC in a running sandbox vs the same command through an in-process SandboxManager
//     (the gRPC overhead is the difference of the medians);
//  3. SANDBOXES sandboxes created and started, a command run in each, then destroyed: the server's RSS and
//     open file descriptors before, at the peak and after.
// Usage (root): dotnet run -c Release --project bench/server -- [RUNS=300] [SANDBOXES=200]
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AgentFense.Api.V1;
using AgentFense.Engine;
using Grpc.Net.Client;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var many = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var repo = RepoRoot();
var init = Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") ?? Path.Combine(repo, ".build", "init", "agentfense-init");
var data = Directory.CreateTempSubdirectory("agentfense-server-bench-").FullName;
var engineData = Directory.CreateTempSubdirectory("agentfense-server-bench-engine-").FullName;
Console.WriteLine($"server bench: {runs} runs, {many} sandboxes, {Environment.ProcessorCount} cpus, {Environment.OSVersion}");

using var server = StartServer(repo, data);
var grpcPort = await ReadPortAsync(server);
using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
var codebases = new CodebaseService.CodebaseServiceClient(channel);
var sandboxes = new SandboxService.SandboxServiceClient(channel);
try
{
    var codebase = await codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "bench" });
    await UploadAsync(codebases, codebase.Id, Path.Combine(repo, "examples", "acme-api"));
    var create = new CreateSandboxRequest { CodebaseId = codebase.Id };
    await LifecycleAsync(create);
    await ExecAsync(create, codebase.Id);
    await ManyAsync(create, server.Id);
}
finally
{
    server.Kill(entireProcessTree: false);
    await server.WaitForExitAsync();
    Directory.Delete(data, recursive: true);
    Directory.Delete(engineData, recursive: true);
}

async Task LifecycleAsync(CreateSandboxRequest create)
{
    var creates = new List<double>();
    var starts = new List<double>();
    for (var i = 0; i < Math.Min(runs, 150) + 10; i++)
    {
        var sw = Stopwatch.StartNew();
        var sandbox = await sandboxes.CreateSandboxAsync(create);
        var created = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        await sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id });
        var started = sw.Elapsed.TotalMilliseconds;
        if (i >= 10)
        {
            creates.Add(created);
            starts.Add(started);
        }
        await sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id });
    }
    Report("CreateSandbox over gRPC", creates);
    Report("StartSandbox over gRPC (FUSE mount + bwrap box + init)", starts);
}

async Task ExecAsync(CreateSandboxRequest create, string codebaseId)
{
    var sandbox = await sandboxes.CreateSandboxAsync(create);
    await sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id });
    await using var manager = await SandboxManager.StartAsync(new SandboxManagerOptions
    {
        DataDirectory = engineData,
        CgroupGroupName = "agentfense-bench-server-engine",
        InitPath = init,
    });
    var local = manager.Create(new SandboxSpec
    {
        CodebasePath = Path.Combine(data, "codebases", codebaseId),
        Rules = AgentFense.Policy.Presets.AgentSafe.Rules,
    }).Id;
    await manager.StartAsync(local);
    var request = new ExecRequest { SandboxId = sandbox.Id, Command = "true" };
    var options = new AgentFense.Runtime.Init.ExecOptions { Command = "true" };
    for (var i = 0; i < 100; i++)
    {
        await sandboxes.ExecAsync(request);
        await manager.ExecAsync(local, options);
    }
    var roundTrip = new List<double>();
    var get = new GetSandboxRequest { SandboxId = sandbox.Id };
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        await sandboxes.GetSandboxAsync(get);
        roundTrip.Add(sw.Elapsed.TotalMilliseconds);
    }
    var overGrpc = new List<double>();
    var inProcess = new List<double>();
    // As the server passes its call's token: a command that can be cancelled.
    using var cancellable = new CancellationTokenSource();
    for (var i = 0; i < runs; i++)
    {
        // Interleaved so that both see the same machine noise.
        var sw = Stopwatch.StartNew();
        var result = await sandboxes.ExecAsync(request);
        overGrpc.Add(sw.Elapsed.TotalMilliseconds);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"exec failed: {result.Stderr}");
        sw.Restart();
        await manager.ExecAsync(local, options, cancellable.Token);
        inProcess.Add(sw.Elapsed.TotalMilliseconds);
    }
    Report("Exec `true` over gRPC (server process)", overGrpc);
    Report("Exec `true` through an in-process SandboxManager", inProcess);
    Console.WriteLine($"gRPC overhead (difference of medians): {Median(overGrpc) - Median(inProcess):F3} ms");
    Report("GetSandbox over gRPC (a call that does no box work: transport, interceptors, lookup)", roundTrip);
    // A call that waits for init but starts nothing: splits the cost of an answer that arrives asynchronously
    // (from init's socket) from the cost of running a command.
    var listOverGrpc = new List<double>();
    var listInProcess = new List<double>();
    var list = new ListProcessesRequest { SandboxId = sandbox.Id };
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        await sandboxes.ListProcessesAsync(list);
        listOverGrpc.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await manager.ListProcessesAsync(local);
        listInProcess.Add(sw.Elapsed.TotalMilliseconds);
    }
    Report("ListProcesses over gRPC (a round trip to init, no command)", listOverGrpc);
    Report("ListProcesses through the in-process SandboxManager", listInProcess);
    await manager.DestroyAsync(local);
    await sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id });
}

async Task ManyAsync(CreateSandboxRequest create, int pid)
{
    var before = Sample(pid);
    var sw = Stopwatch.StartNew();
    var ids = new List<string>();
    for (var i = 0; i < many; i++)
    {
        var sandbox = await sandboxes.CreateSandboxAsync(create);
        await sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id });
        ids.Add(sandbox.Id);
    }
    var started = sw.Elapsed.TotalSeconds;
    sw.Restart();
    var results = await Task.WhenAll(ids.Select(id => sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "cat README.md >/dev/null && echo ok" }).ResponseAsync));
    var ran = sw.Elapsed.TotalSeconds;
    if (results.Any(r => r.ExitCode != 0))
        throw new InvalidOperationException("a command failed: " + results.First(r => r.ExitCode != 0).Stderr);
    var peak = Sample(pid);
    sw.Restart();
    foreach (var id in ids)
        await sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id });
    var destroyed = sw.Elapsed.TotalSeconds;
    GC.Collect();
    await Task.Delay(2000);
    var after = Sample(pid);
    Console.WriteLine($"{many} sandboxes: created+started in {started:F1} s, one command each (concurrently) in {ran:F2} s, destroyed in {destroyed:F1} s");
    Console.WriteLine($"server RSS MiB / open fds / threads: before {before}, with {many} running {peak}, after destroy {after}");
}

static (double RssMiB, int Fds, int Threads) Sample(int pid)
{
    var status = File.ReadAllText($"/proc/{pid}/status");
    var rss = long.Parse(Regex.Match(status, @"VmRSS:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture) / 1024.0;
    var threads = int.Parse(Regex.Match(status, @"Threads:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
    return (Math.Round(rss, 1), Directory.GetFiles($"/proc/{pid}/fd").Length, threads);
}

static async Task UploadAsync(CodebaseService.CodebaseServiceClient client, string codebaseId, string root)
{
    foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
    {
        var content = await File.ReadAllBytesAsync(file);
        using var call = client.UploadFiles();
        await call.RequestStream.WriteAsync(new UploadChunk
        {
            Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = Path.GetRelativePath(root, file), TotalSize = content.Length },
        });
        await call.RequestStream.WriteAsync(new UploadChunk { Data = Google.Protobuf.ByteString.CopyFrom(content) });
        await call.RequestStream.CompleteAsync();
        await call;
    }
}

static Process StartServer(string repo, string data)
{
    var start = new ProcessStartInfo(Path.Combine(repo, "agentfense")) { RedirectStandardOutput = true, RedirectStandardError = false };
    foreach (var arg in new[] { "serve", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data })
        start.ArgumentList.Add(arg);
    start.Environment["AGENTFENSE_CGROUP_GROUP"] = "agentfense-bench-server";
    return Process.Start(start)!;
}

static async Task<int> ReadPortAsync(Process server)
{
    // "agentfense: serving gRPC on 127.0.0.1:PORT, REST on http://…"
    var line = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server exited before serving");
    return int.Parse(Regex.Match(line, @"gRPC on [\d.]+:(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

static void Report(string what, List<double> values) =>
    Console.WriteLine($"{what}: p50 {Median(values):F3} ms, p99 {Percentile(values, 0.99):F3} ms (n={values.Count})");

static string RepoRoot()
{
    var directory = AppContext.BaseDirectory;
    while (!File.Exists(Path.Combine(directory, "AgentFense.slnx")))
        directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("not inside the repository");
    return directory;
}
