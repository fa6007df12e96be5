using System.Diagnostics;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class SeccompBoxTests
{
    private const string Eperm = "1";

    [Fact]
    public async Task Exec_DeniedSyscalls_RefusedWithEpermInsideButNotOnHost()
    {
        BoxFixture.Require();
        Requires.Program("gcc");
        using var workspace = BoxFixture.Workspace();
        var probe = workspace["probe"];
        Run("gcc", "-O1", "-o", probe, Path.Combine(AppContext.BaseDirectory, "Probes", "syscall-probe.c"));

        // Outside the box (root, no filter) the same calls fail otherwise or succeed: the EPERMs inside come from the filter.
        var host = Parse(Run(probe));
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), TestContext.Current.CancellationToken);
        var result = await BoxFixture.RunAsync(box, "/workspace/probe");
        Assert.Equal(0, result.ExitCode);
        var inside = Parse(result.StdoutText);
        Assert.Equal(host.Keys.Order(), inside.Keys.Order());
        foreach (var (name, errno) in inside)
        {
            if (name == "clone3")
            {
                Assert.Equal("38", errno); // ENOSYS: libc falls back to clone, whose flags the filter reads
                continue;
            }
            Assert.True(errno == Eperm, $"{name} returned errno {errno} inside the box, not EPERM");
            Assert.True(host[name] != Eperm, $"{name} returns EPERM on the host too, so the box result proves nothing");
        }
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_UnshareAndMountTools_Refused(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), TestContext.Current.CancellationToken);
        var userns = await BoxFixture.RunAsync(box, "unshare -U -r id");
        Assert.NotEqual(0, userns.ExitCode);
        Assert.Contains("Operation not permitted", userns.StderrText, StringComparison.Ordinal);
        var mount = await BoxFixture.RunAsync(box, "mkdir -p /tmp/m && mount -t tmpfs none /tmp/m");
        Assert.NotEqual(0, mount.ExitCode);
        var su = await BoxFixture.RunAsync(box, "su -c id root </dev/null; ls -l /proc/1/root/ 2>&1 | head -1");
        Assert.DoesNotContain("uid=0", su.StdoutText, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_RawSockets_RefusedInsideButNotOnHost(string runtime)
    {
        BoxFixture.Require(runtime);
        Requires.Program("gcc");
        using var workspace = BoxFixture.Workspace();
        var probe = workspace["raw-probe"];
        Run("gcc", "-O1", "-o", probe, Path.Combine(AppContext.BaseDirectory, "Probes", "raw-socket-probe.c"));
        var host = Parse(Run(probe));
        Assert.All(host.Values, errno => Assert.Equal("0", errno)); // root on the host gets them: the probe works
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), TestContext.Current.CancellationToken);
        var result = await BoxFixture.RunAsync(box, "/workspace/raw-probe");
        Assert.Equal(0, result.ExitCode);
        var inside = Parse(result.StdoutText);
        Assert.Equal(host.Keys.Order(), inside.Keys.Order());
        Assert.All(inside, kv => Assert.True(kv.Value == Eperm, $"{kv.Key}: errno {kv.Value} inside the box, not EPERM"));
    }

    private static Dictionary<string, string> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }
}
