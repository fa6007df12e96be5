using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
public sealed class NetworkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exec_NetworkOff_OnlyLoopbackAndHostListenerUnreachable()
    {
        BoxFixture.Require();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box,
            $"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; bash -c 'echo > /dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo reached-loopback; test -e /etc/resolv.conf && echo has-resolv; exit 0");
        Assert.Equal("lo\n", result.StdoutText);
        Assert.False(listener.Pending());
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
