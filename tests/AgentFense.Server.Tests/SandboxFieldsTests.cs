using System.Net;
using System.Net.Sockets;
using AgentFense.Api.V1;
using AgentFense.Runtime.Boxes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>The sandbox additions network, /tmp size and delta size: defaults, validation, persistence, and what they do in a real box.</summary>
public sealed class SandboxFieldsTests
{
    private const long MiB = 1024 * 1024;

    private static CancellationToken Token => ServerHarness.Token;

    private static ServerOptions Defaults(ServerOptions options) => options with
    {
        DefaultLimits = new BoxLimits { MemoryBytes = 256 * MiB, PidsMax = 128, TmpSizeBytes = 32 * MiB },
        DefaultDeltaSizeBytes = 10 * MiB,
    };

    [Fact]
    public async Task Create_LeftAtZero_TakesServerDefaults_EffectiveValuesReturnedAndKeptAcrossRestart()
    {
        await using var harness = await ServerHarness.StartAsync(configure: Defaults);
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var request = ApiAssert.Writable(codebaseId);
        request.Resources = new ResourceLimits { PidsLimit = 64 };
        var defaulted = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        Assert.Equal((false, 32 * MiB, 10 * MiB), (defaulted.Network, defaulted.TmpSizeBytes, defaulted.DeltaSizeBytes));
        Assert.Equal(new ResourceLimits { MemoryBytes = 256 * MiB, PidsLimit = 64 }, defaulted.Resources);
        Assert.Equal("", defaulted.StatusReason);

        var explicitRequest = ApiAssert.Writable(codebaseId);
        explicitRequest.Network = true;
        explicitRequest.TmpSizeBytes = 2 * MiB;
        explicitRequest.DeltaSizeBytes = 3 * MiB;
        explicitRequest.Resources = new ResourceLimits { MemoryBytes = 100 * MiB, CpuQuota = 50_000, CpuShares = 512, PidsLimit = 32 };
        var asked = await harness.Sandboxes.CreateSandboxAsync(explicitRequest, cancellationToken: Token);
        Assert.Equal((true, 2 * MiB, 3 * MiB), (asked.Network, asked.TmpSizeBytes, asked.DeltaSizeBytes));
        Assert.Equal(explicitRequest.Resources, asked.Resources);

        await harness.RestartAsync();

        Assert.Equal(defaulted, await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = defaulted.Id }, cancellationToken: Token));
        Assert.Equal(asked, await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = asked.Id }, cancellationToken: Token));
    }

    [Fact]
    public async Task Create_DefaultNetworkOn_RequestsGetNetwork()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { DefaultNetwork = true });
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(codebaseId), cancellationToken: Token);
        Assert.True(sandbox.Network);
    }

    [Theory]
    [InlineData("tmp_size_bytes")]
    [InlineData("delta_size_bytes")]
    [InlineData("resources.memory_bytes")]
    [InlineData("resources.cpu_quota")]
    [InlineData("resources.cpu_shares")]
    [InlineData("resources.pids_limit")]
    public async Task Create_NegativeField_InvalidArgumentNamingIt_NothingCreated(string field)
    {
        await using var harness = await ServerHarness.StartAsync();
        var request = ApiAssert.Writable(await ApiAssert.CodebaseAsync(harness));
        request.Resources = new ResourceLimits();
        switch (field)
        {
            case "tmp_size_bytes": request.TmpSizeBytes = -1; break;
            case "delta_size_bytes": request.DeltaSizeBytes = -1; break;
            case "resources.memory_bytes": request.Resources.MemoryBytes = -1; break;
            case "resources.cpu_quota": request.Resources.CpuQuota = -1; break;
            case "resources.cpu_shares": request.Resources.CpuShares = -1; break;
            default: request.Resources.PidsLimit = -1; break;
        }
        var e = await ApiAssert.StatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT",
            () => harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token).ResponseAsync);
        Assert.Contains(field, e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes);
    }

    [Fact]
    public async Task Rest_NewFields_ProtoJsonShape()
    {
        await using var harness = await ServerHarness.StartAsync(configure: Defaults);
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var (status, sandbox) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes", new
        {
            codebaseId,
            network = true,
            tmpSizeBytes = "1048576",
            delta_size_bytes = 2097152,
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(sandbox.GetProperty("network").GetBoolean());
        // int64 as strings, as the rest of the API writes them; defaults are written too.
        Assert.Equal("1048576", sandbox.GetProperty("tmpSizeBytes").GetString());
        Assert.Equal("2097152", sandbox.GetProperty("deltaSizeBytes").GetString());
        Assert.Equal("", sandbox.GetProperty("statusReason").GetString());
        Assert.Equal("268435456", sandbox.GetProperty("resources").GetProperty("memoryBytes").GetString());

        (status, var error) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes", new { codebaseId, tmpSizeBytes = "-5" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        ApiAssert.RestError(error, StatusCode.InvalidArgument, "INVALID_ARGUMENT");
        Assert.Contains("tmp_size_bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Network_OffHasOnlyLoopback_OnHasARouteOut()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var codebaseId = await ApiAssert.CodebaseAsync(harness);
            var offRequest = ApiAssert.Writable(codebaseId);
            var off = await harness.Sandboxes.CreateSandboxAsync(offRequest, cancellationToken: Token);
            var onRequest = ApiAssert.Writable(codebaseId);
            onRequest.Network = true;
            var on = await harness.Sandboxes.CreateSandboxAsync(onRequest, cancellationToken: Token);
            Assert.Equal((false, true), (off.Network, on.Network));
            foreach (var id in new[] { off.Id, on.Id })
                await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);

            // /proc/net/dev lists the interfaces; /proc/net/route the routes (a default route has destination 00000000).
            const string Probe = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '; echo; tail -n +2 /proc/net/route | cut -f2 | tr '\\n' ' '";
            var offProbe = (await RunAsync(harness, off.Id, Probe)).Split('\n');
            Assert.Equal("lo", offProbe[0].Trim());
            Assert.Equal("", offProbe[1].Trim());
            var onProbe = (await RunAsync(harness, on.Id, Probe)).Split('\n');
            Assert.Contains("tap0", onProbe[0].Split(' '));
            Assert.Contains("00000000", onProbe[1].Split(' '));

            // Outbound TCP: refused without network whatever the host can reach; through slirp when the host reaches out.
            const string Connect = "timeout 10 bash -c 'exec 3<>/dev/tcp/1.1.1.1/80' && echo connected || echo failed";
            Assert.Equal("failed", (await RunAsync(harness, off.Id, Connect)).Trim());
            if (await HostReachesAsync("1.1.1.1", 80))
                Assert.Equal("connected", (await RunAsync(harness, on.Id, Connect)).Trim());
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task SizeLimits_DeltaPastItIsEnospc_TmpPastItIsEnospc()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var request = ApiAssert.Writable(await ApiAssert.CodebaseAsync(harness));
            request.DeltaSizeBytes = 1 * MiB;
            request.TmpSizeBytes = 2 * MiB;
            var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
            await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, cancellationToken: Token);

            var small = await Exec(harness, sandbox.Id, "head -c 200000 /dev/zero > small.bin && head -c 1000000 /dev/zero > /tmp/small.bin && echo ok");
            Assert.Equal(("ok\n", 0), (small.Stdout, small.ExitCode));
            var delta = await Exec(harness, sandbox.Id, "head -c 3000000 /dev/zero > big.bin");
            Assert.NotEqual(0, delta.ExitCode);
            Assert.Contains("No space left on device", delta.Stderr, StringComparison.Ordinal);
            var tmp = await Exec(harness, sandbox.Id, "head -c 4000000 /dev/zero > /tmp/big.bin");
            Assert.NotEqual(0, tmp.ExitCode);
            Assert.Contains("No space left on device", tmp.Stderr, StringComparison.Ordinal);
            var size = await Exec(harness, sandbox.Id, "df -B1 --output=size /tmp | tail -1");
            Assert.Equal(2 * MiB, long.Parse(size.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    private static Task<ExecResult> Exec(ServerHarness harness, string id, string command) =>
        harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = command }, cancellationToken: Token).ResponseAsync;

    private static async Task<string> RunAsync(ServerHarness harness, string id, string command)
    {
        var result = await Exec(harness, id, command);
        Assert.True(result.ExitCode == 0, $"'{command}' exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    private static async Task<bool> HostReachesAsync(string address, int port)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(IPAddress.Parse(address), port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
