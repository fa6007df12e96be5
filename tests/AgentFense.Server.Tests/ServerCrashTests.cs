using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Net.Client;

namespace AgentFense.Server.Tests;

/// <summary>
/// <c>agentfense serve</c> killed with SIGKILL mid-flight: the next server on the same data directory finds every
/// codebase, lists the sandbox with its rules, runs it again over the same delta, and clears the dead mount.
/// </summary>
[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed partial class ServerCrashTests
{
    private static CancellationToken Token => ServerHarness.Token;

    public static TheoryData<string> Runtimes => new() { "bwrap", "docker" };

    [Theory]
    [MemberData(nameof(Runtimes))]
    public async Task Serve_KilledWithSigkill_NextServerRecoversEverything(string runtime)
    {
        Requires.Bwrap();
        Requires.Fuse();
        if (runtime == "docker")
        {
            Requires.Docker();
            TestImages.Ensure();
        }
        using var data = new TempDirectory("agentfense-crash-");
        var group = $"agentfense-crash-{Guid.NewGuid():N}"[..28];
        string sandboxId, codebaseId, oldMount;
        string[] oldContainers;
        using (var first = await ServeProcess.StartAsync(data.Path, group))
        {
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var codebases = new CodebaseService.CodebaseServiceClient(channel);
            var sandboxes = new SandboxService.SandboxServiceClient(channel);
            codebaseId = (await codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "crash", OwnerId = "me" }, cancellationToken: Token)).Id;
            await UploadAsync(codebases, codebaseId, "README.md", "kept\n");
            var request = runtime == "docker"
                ? new CreateSandboxRequest { CodebaseId = codebaseId, Runtime = RuntimeType.Docker, Image = TestImages.Debian }
                : new CreateSandboxRequest { CodebaseId = codebaseId, Runtime = RuntimeType.Bwrap };
            request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write, Type = PatternType.Glob });
            request.Permissions.Add(new PermissionRule { Pattern = "secret.txt", Permission = Permission.None, Type = PatternType.File, Priority = 5 });
            sandboxId = (await sandboxes.CreateSandboxAsync(request, cancellationToken: Token)).Id;
            await sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandboxId }, cancellationToken: Token);
            var wrote = await sandboxes.ExecAsync(new ExecRequest { SandboxId = sandboxId, Command = "echo from-before-the-crash > note.txt" }, cancellationToken: Token);
            Assert.Equal(0, wrote.ExitCode);
            oldMount = Mounts().Single(m => m.Contains(sandboxId, StringComparison.Ordinal));
            oldContainers = await Containers(sandboxId);
            first.Kill();
        }
        try
        {
            // The dead server's mount is still there (ENOTCONN) until the next server clears it.
            Assert.Contains(oldMount, Mounts());
            using var second = await ServeProcess.StartAsync(data.Path, group);
            using var channel = GrpcChannel.ForAddress(second.GrpcAddress);
            var codebases = new CodebaseService.CodebaseServiceClient(channel);
            var sandboxes = new SandboxService.SandboxServiceClient(channel);
            Assert.Equal(1, (await codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = codebaseId }, cancellationToken: Token)).FileCount);
            var sandbox = await WaitRunningAsync(sandboxes, sandboxId);
            Assert.Equal(["**", "secret.txt"], sandbox.Permissions.Select(p => p.Pattern));
            var read = await sandboxes.ExecAsync(new ExecRequest { SandboxId = sandboxId, Command = "cat note.txt README.md" }, cancellationToken: Token);
            Assert.Equal(0, read.ExitCode);
            Assert.Equal("from-before-the-crash\nkept\n", read.Stdout);
            // A docker sandbox runs again in a fresh container; the dead server's one is gone.
            var containers = await Containers(sandboxId);
            Assert.Equal(runtime == "docker" ? 1 : 0, containers.Length);
            Assert.Empty(containers.Intersect(oldContainers));
            await sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandboxId }, cancellationToken: Token);
        }
        finally
        {
            foreach (var mount in Mounts().Where(m => m.StartsWith(data.Path, StringComparison.Ordinal)))
                Process.Start("umount", ["-l", mount])!.WaitForExit();
            RemoveCgroupGroup(group);
        }
        Assert.DoesNotContain(Mounts(), m => m.StartsWith(data.Path, StringComparison.Ordinal));
    }

    /// <summary>Ids of the containers (running or not) labelled with sandbox <paramref name="id"/>; none for bwrap or without docker.</summary>
    private static async Task<string[]> Containers(string id)
    {
        if (Requires.Which("docker") is null)
            return [];
        using var process = Process.Start(new ProcessStartInfo("docker", ["ps", "-aq", "--no-trunc", "--filter", $"label=io.agentfense.sandbox={id}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<Sandbox> WaitRunningAsync(SandboxService.SandboxServiceClient sandboxes, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var sandbox = await sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = id }, cancellationToken: Token);
            if (sandbox.Status == SandboxStatus.Running || DateTime.UtcNow > deadline)
            {
                Assert.Equal(SandboxStatus.Running, sandbox.Status);
                return sandbox;
            }
            await Task.Delay(100, Token);
        }
    }

    private static async Task UploadAsync(CodebaseService.CodebaseServiceClient codebases, string codebaseId, string path, string text)
    {
        var content = Encoding.UTF8.GetBytes(text);
        using var call = codebases.UploadFiles(cancellationToken: Token);
        await call.RequestStream.WriteAsync(new UploadChunk
        {
            Metadata = new UploadChunk.Types.Metadata { CodebaseId = codebaseId, FilePath = path, TotalSize = content.Length },
        }, Token);
        await call.RequestStream.WriteAsync(new UploadChunk { Data = Google.Protobuf.ByteString.CopyFrom(content) }, Token);
        await call.RequestStream.CompleteAsync();
        await call;
    }

    // The group's (now empty) directories in every hierarchy, deepest first: rmdir is how cgroups are removed.
    private static void RemoveCgroupGroup(string group)
    {
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            foreach (var child in Directory.EnumerateDirectories(dir))
            {
                if (Path.GetFileName(child) == group)
                    found.Add(child);
                else if (depth < 4)
                    Walk(child, depth + 1);
            }
        }
        Walk("/sys/fs/cgroup", 0);
        foreach (var root in found)
        {
            foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(root))
            {
                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static List<string> Mounts() =>
        [.. File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])];

    [GeneratedRegex(@"serving gRPC on (\S+), REST")]
    private static partial Regex ReadyLine();

    /// <summary>The CLI's <c>serve</c> as a child process on free loopback ports, with its own cgroup group.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;

        private ServeProcess(Process process, string grpcAddress)
        {
            _process = process;
            GrpcAddress = grpcAddress;
        }

        public string GrpcAddress { get; }

        public static async Task<ServeProcess> StartAsync(string dataDirectory, string group)
        {
            var cli = CliBinary.Path;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment.Remove("AGENTFENSE_API_KEYS");
            start.Environment["AGENTFENSE_CGROUP_GROUP"] = group;
            start.Environment["AGENTFENSE_STATE_DIR"] = "/run/agentfense-tests";
            start.Environment["AGENTFENSE_INIT_PATH"] = InitBinary.Path;
            foreach (var arg in new[] { cli, "serve", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", dataDirectory })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync(Token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var match = ReadyLine().Match(line);
                if (match.Success)
                {
                    _ = process.StandardOutput.ReadToEndAsync(Token);
                    return new ServeProcess(process, "http://" + match.Groups[1].Value);
                }
            }
            await process.WaitForExitAsync(Token);
            throw new InvalidOperationException($"serve exited ({process.ExitCode}) before it was ready: {await errors}");
        }

        public void Kill()
        {
            _process.Kill(); // SIGKILL: no shutdown code runs
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}
