// Docker runtime figures, side by side in one run against the same daemon and image: start-to-ready of a
// docker box (DockerRuntime: create, passwd merge, start, init's Hello) vs a plain `docker run IMAGE true`
// through the Engine API (create, start, wait) and through the CLI; exec latency through init in a running
// docker box vs a bwrap box vs `docker exec` through the Engine API and the CLI; memory per idle docker box.
// Usage (root, dockerd running, test images built by tests/images/build.sh):
//   dotnet run -c Release --project bench/docker -- [RUNS=100] [BOXES=20] [IMAGE=agentfense-test/debian:1]
// AGENTFENSE_INIT_PATH names the AOT init (default .build/init/agentfense-init).
using System.Diagnostics;
using System.Globalization;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Docker;
using AgentFense.Runtime.Init;
using Docker.DotNet;
using Docker.DotNet.Models;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var boxCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var image = args.Length > 2 ? args[2] : "agentfense-test/debian:1";
var repo = FindRepo();
var init = Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") ?? Path.Combine(repo, ".build", "init", "agentfense-init");
if (!File.Exists(init))
    throw new InvalidOperationException($"no init at {init}: run the Runtime or Init tests once, or set AGENTFENSE_INIT_PATH");
var workspace = Directory.CreateTempSubdirectory("agentfense-bench-").FullName;
File.SetUnixFileMode(workspace, (UnixFileMode)0x1ED);
using var runtime = new DockerRuntime(new DockerRuntimeOptions { GroupName = "agentfense-bench", DefaultImage = image });
await runtime.SweepAsync();
var cgroups = CgroupManager.Detect(groupName: "agentfense-bench");
await cgroups.SweepAsync();
var bwrap = new BubblewrapRuntime(new BubblewrapRuntimeOptions { Cgroups = cgroups });
using var client = new DockerClientConfiguration(runtime.Endpoint).CreateClient();
var version = await client.System.GetVersionAsync();
var id = 0;
BoxSpec Spec() => new() { Id = $"bench{Interlocked.Increment(ref id)}", WorkspaceHostPath = workspace, InitPath = init };

Console.WriteLine($"docker bench: {runs} runs, {boxCount} idle boxes, image {image}, {Environment.ProcessorCount} cpus, dockerd {version.Version} (API {version.APIVersion})");

// 1. Start-to-ready (stop excluded) vs docker run of `true` to its exit, API and CLI, interleaved.
await (await runtime.StartAsync(Spec())).StopAsync(); // warm up
await ApiRunAsync();
var starts = new List<double>();
var stops = new List<double>();
var apiRuns = new List<double>();
var cliRuns = new List<double>();
for (var i = 0; i < runs; i++)
{
    var sw = Stopwatch.StartNew();
    var box = await runtime.StartAsync(Spec());
    starts.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    await box.StopAsync();
    stops.Add(sw.Elapsed.TotalMilliseconds);
    apiRuns.Add(await ApiRunAsync());
    cliRuns.Add(Time(() => Run("docker", ["run", "--rm", "--network", "none", image, "true"])));
}
Report("docker box start-to-ready (DockerRuntime, until init's Hello)", starts);
Report("docker box stop (container removed)", stops);
Report("docker run IMAGE true through the Engine API (create+start+wait, remove excluded)", apiRuns);
Report("docker run --rm IMAGE true through the CLI", cliRuns);

// 2. Exec latency: init in a docker box, init in a bwrap box, docker exec (API and CLI), interleaved.
await using (var box = await runtime.StartAsync(Spec()))
await using (var bwrapBox = await bwrap.StartAsync(Spec()))
{
    var dockerBox = (DockerBox)box;
    var exec = new ExecOptions { Argv = ["/bin/true"], Environment = box.Environment };
    var bwrapExec = new ExecOptions { Argv = ["/bin/true"], Environment = bwrapBox.Environment };
    for (var i = 0; i < 50; i++)
    {
        await box.Client.ExecAsync(exec);
        await bwrapBox.Client.ExecAsync(bwrapExec);
    }
    await ApiExecAsync(dockerBox.ContainerId);
    var inDocker = new List<double>();
    var inBwrap = new List<double>();
    var apiExec = new List<double>();
    var cliExec = new List<double>();
    for (var i = 0; i < runs * 5; i++)
    {
        var sw = Stopwatch.StartNew();
        await box.Client.ExecAsync(exec);
        inDocker.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await bwrapBox.Client.ExecAsync(bwrapExec);
        inBwrap.Add(sw.Elapsed.TotalMilliseconds);
        if (i % 5 == 0)
        {
            apiExec.Add(await ApiExecAsync(dockerBox.ContainerId));
            cliExec.Add(Time(() => Run("docker", ["exec", dockerBox.ContainerId, "/bin/true"])));
        }
    }
    Report("exec /bin/true through init in a docker box", inDocker);
    Report("exec /bin/true through init in a bwrap box", inBwrap);
    Report("docker exec /bin/true through the Engine API (create+start+inspect)", apiExec);
    Report("docker exec CONTAINER /bin/true through the CLI", cliExec);
}

// 3. Memory per idle docker box with BOXES running: PSS of init and of its containerd shim, and the MemAvailable drop.
{
    var before = MemAvailableKiB();
    var sw = Stopwatch.StartNew();
    var boxes = new List<Box>();
    for (var i = 0; i < boxCount; i++)
        boxes.Add(await runtime.StartAsync(Spec()));
    var started = sw.Elapsed;
    await Task.Delay(2000);
    double initPss = 0, shimPss = 0, cgroupBytes = 0;
    foreach (var b in boxes)
    {
        initPss += PssKiB(b.Pid);
        shimPss += PssKiB(ParentOf(b.Pid));
        cgroupBytes += b.MemoryUsageBytes;
    }
    var after = MemAvailableKiB();
    sw.Restart();
    await Task.WhenAll(boxes.Select(b => b.StopAsync()));
    Console.WriteLine($"{boxCount} idle docker boxes: started in {started.TotalSeconds:F1} s, stopped in {sw.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"  per box: init PSS {initPss / boxCount / 1024:F2} MiB, containerd shim PSS {shimPss / boxCount / 1024:F2} MiB, " +
                      $"cgroup memory {cgroupBytes / boxCount / 1048576:F2} MiB, MemAvailable drop {(before - after) / (double)boxCount / 1024:F2} MiB");
}
Directory.Delete(workspace, recursive: true);

async Task<double> ApiRunAsync()
{
    var sw = Stopwatch.StartNew();
    var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
    {
        Image = image,
        Cmd = ["true"],
        HostConfig = new HostConfig { NetworkMode = "none" },
    });
    await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
    await client.Containers.WaitContainerAsync(created.ID);
    var elapsed = sw.Elapsed.TotalMilliseconds;
    await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
    return elapsed;
}

async Task<double> ApiExecAsync(string container)
{
    var sw = Stopwatch.StartNew();
    var exec = await client.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters { Cmd = ["/bin/true"], AttachStdout = true, AttachStderr = true });
    using (var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false))
        await stream.ReadOutputToEndAsync(CancellationToken.None);
    var inspect = await client.Exec.InspectContainerExecAsync(exec.ID);
    if (inspect.ExitCode != 0)
        throw new InvalidOperationException($"docker exec /bin/true exited {inspect.ExitCode}");
    return sw.Elapsed.TotalMilliseconds;
}

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static void Run(string program, string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
}

static void Report(string name, List<double> values)
{
    values.Sort();
    double At(double q) => values[Math.Min(values.Count - 1, (int)(q * values.Count))];
    Console.WriteLine($"{name}: p50 {At(0.5):F2} ms, p90 {At(0.9):F2} ms, p99 {At(0.99):F2} ms (n={values.Count})");
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

static int ParentOf(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return int.Parse(fields[1], CultureInfo.InvariantCulture);
}

static long MemAvailableKiB() =>
    long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AgentFense.slnx")))
            return dir.FullName;
    }
    throw new InvalidOperationException("no AgentFense.slnx above the bench");
}
