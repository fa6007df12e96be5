using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class NetworkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_NetworkOff_OnlyLoopbackAndHostListenerUnreachable(string runtime)
    {
        BoxFixture.Require(runtime);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box,
            $"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; bash -c 'echo > /dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo reached-loopback; " +
            "echo ---; test -e /etc/resolv.conf && echo has-resolv; exit 0");
        var parts = result.StdoutText.Split("---\n");
        Assert.Equal("lo\n", parts[0]);
        // bwrap synthesizes /etc without a resolver; Docker writes its own even for network none (harmless: nothing to reach).
        if (runtime == "bwrap")
            Assert.Equal("", parts[1]);
        Assert.False(listener.Pending());
    }

    [Fact]
    [Trait("Requires", "Docker")]
    public async Task Exec_DockerNetworkOn_OwnInterfaceButNoHostLoopback()
    {
        BoxFixture.Require("docker");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        // CI's dockerd runs without its default bridge: an internal network of the test's own stands in for it.
        var network = $"agentfense-tests-{Guid.NewGuid():N}"[..28];
        await DockerCli("network", "create", "--internal", network);
        try
        {
            using var runtime = new AgentFense.Runtime.Docker.DockerRuntime(new AgentFense.Runtime.Docker.DockerRuntimeOptions
            {
                GroupName = BoxFixture.GroupName,
                DefaultImage = TestImages.Debian,
                NetworkMode = network,
            });
            using var workspace = BoxFixture.Workspace();
            await using var box = await runtime.StartAsync(BoxFixture.Spec(workspace.Path, s => s with { Network = true }), Token);
            var result = await BoxFixture.RunAsync(box,
                $"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort; timeout 5 bash -c 'echo > /dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo reached; exit 0",
                TimeSpan.FromSeconds(30));
            Assert.Equal("eth0\nlo\n", result.StdoutText);
            Assert.False(listener.Pending());
        }
        finally
        {
            await DockerCli("network", "rm", network);
        }
    }

    private static async Task DockerCli(params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        Assert.True(process.ExitCode == 0, $"docker {string.Join(' ', args)}: {error}");
    }

    [Fact]
    public async Task Exec_NetworkOn_OwnNamespaceWithTapButNoHostLoopback()
    {
        BoxFixture.Require();
        Requires.Program("slirp4netns");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path, s => s with { Network = true }), Token);
        var result = await BoxFixture.RunAsync(box,
            $"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort; cat /etc/resolv.conf; grep -c . /proc/net/route; " +
            $"for host in 127.0.0.1 10.0.2.2; do timeout 5 bash -c \"echo > /dev/tcp/$host/{port}\" 2>/dev/null && echo reached-$host; done; exit 0",
            TimeSpan.FromSeconds(30));
        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["lo", "tap0", "nameserver 10.0.2.3"], lines[..3]);
        Assert.True(int.Parse(lines[3], CultureInfo.InvariantCulture) >= 2, "no default route through the tap"); // header + routes
        Assert.DoesNotContain("reached", result.StdoutText, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        await box.StopAsync(Token);
    }
}
