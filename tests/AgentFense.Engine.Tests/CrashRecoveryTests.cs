using System.Diagnostics;
using AgentFense.Runtime.Cgroups;
using AgentFense.TestSupport;
using static AgentFense.Engine.Tests.EngineFixture;

namespace AgentFense.Engine.Tests;

/// <summary>An engine killed with SIGKILL mid-sandbox: the next manager on its data directory cleans up after it.</summary>
[Trait("Requires", "Bwrap")]
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task StartAsync_AfterKill9OfTheEngine_StaleMountAndCgroupRemovedDeltaKept()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        var group = NewGroup();
        var host = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "AgentFense.Engine.CrashHost.dll"), data.Path, group, InitBinary.Path, codebase.Path })
            host.ArgumentList.Add(arg);
        string id;
        int boxPid;
        using (var process = Process.Start(host)!)
        {
            var errors = process.StandardError.ReadToEndAsync(Token);
            try
            {
                string? line;
                do
                    line = await process.StandardOutput.ReadLineAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Token);
                while (line is not null && !line.StartsWith("ready ", StringComparison.Ordinal));
                Assert.True(line is not null, "the crash host exited before it was ready");
                var parts = line!.Split(' ');
                (id, boxPid) = (parts[1], int.Parse(parts[2]));
            }
            finally
            {
                process.Kill();
                await process.WaitForExitAsync(Token);
                TestContext.Current.TestOutputHelper?.WriteLine(await errors);
            }
        }
        var mountPoint = Path.Combine(data.Path, "mounts", id);
        var cgroups = CgroupManager.Detect(groupName: group).GroupDirectories.Select(g => Path.Combine(g, id)).ToList();
        Assert.True(IsMounted(mountPoint), "the killed engine's mount should be left behind (stale)");
        Assert.Contains(cgroups, Directory.Exists);

        await using (var manager = await StartManagerAsync(data.Path, group))
        {
            Assert.False(IsMounted(mountPoint));
            Assert.All(cgroups, c => Assert.False(Directory.Exists(c), $"cgroup {c} is left"));
            Assert.False(Alive(boxPid));
            Assert.Equal("kept\n", File.ReadAllText(Path.Combine(data.Path, "deltas", id, "output/crash.txt")));
        }
        Assert.All(CgroupManager.Detect(groupName: group).GroupDirectories, g => Assert.False(Directory.Exists(g)));
    }
}
