using System.Diagnostics;
using AgentFense.TestSupport;

namespace AgentFense.Fuse.Tests;

[Trait("Requires", "Fuse")]
public class FuseServerTests
{
    [Fact]
    public void Mount_ManyMountsOnFourWorkers_AllServedConcurrently()
    {
        Requires.Fuse();
        using var server = new FuseServer(workerCount: 4);
        var mounts = new List<TestMount>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                var fs = new MemFs();
                fs.AddFile(1, "id", i.ToString());
                mounts.Add(TestMount.Create(fs, server: server));
            }
            Assert.Equal(40, server.SessionCount);

            Parallel.For(0, mounts.Count * 5, new ParallelOptions { MaxDegreeOfParallelism = 16 }, n =>
            {
                int i = n % mounts.Count;
                var m = mounts[i];
                Assert.Equal(i.ToString(), File.ReadAllText(m["id"]));
                File.WriteAllText(m[$"w{n}"], new string('x', n));
                Assert.Equal(n, new FileInfo(m[$"w{n}"]).Length);
            });

            var fuseThreads = Process.GetCurrentProcess().Threads.Count;
            Assert.Equal(4, server.WorkerCount);
            Assert.True(fuseThreads < 100, $"{fuseThreads} threads for 40 mounts");
        }
        finally
        {
            foreach (var m in mounts)
                m.Dispose();
        }
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Dispose_WithLiveMounts_UnmountsThem()
    {
        Requires.Fuse();
        var server = new FuseServer(workerCount: 2);
        var mount = TestMount.Create(new MemFs(), server: server);
        try
        {
            server.Dispose();

            Assert.DoesNotContain(mount.Path, FuseMounts.List());
            Assert.False(mount.Session.IsConnected);
        }
        finally
        {
            mount.Dispose();
        }
    }

    [Fact]
    public void ClearStale_ServerDiedWithoutUnmount_DetectsAndClearsMount()
    {
        Requires.Fuse();
        // A private parent, so the sweep below never touches anybody else's mounts.
        var parent = Directory.CreateTempSubdirectory("agentfense-stale-").FullName;
        var mount = TestMount.Create(new MemFs(), parent: parent);
        try
        {
            Assert.False(FuseMounts.IsStale(mount.Path));

            mount.Session.Abandon(); // close /dev/fuse as a crashed daemon would

            Assert.Contains(mount.Path, FuseMounts.List(parent));
            Assert.Contains(FuseMounts.Probe(mount.Path), new[] { Errno.ENOTCONN, Errno.ECONNABORTED });
            Assert.True(FuseMounts.IsStale(mount.Path));
            Assert.Equal(1, FuseMounts.ClearStaleUnder(parent));
            Assert.Empty(FuseMounts.List(parent));
            Assert.True(Directory.Exists(mount.Path));
        }
        finally
        {
            mount.Dispose();
            Directory.Delete(parent, recursive: false);
        }
    }

    [Fact]
    public void Mount_ViaFusermount_ServesAndUnmounts()
    {
        Requires.Fuse();
        Requires.Program("fusermount3");
        var fs = new MemFs();
        fs.AddFile(1, "f", "via fusermount3");
        var mount = TestMount.Create(fs, new MountOptions { Method = MountMethod.Fusermount });
        try
        {
            Assert.Equal("via fusermount3", File.ReadAllText(mount["f"]));
            File.WriteAllText(mount["g"], "written");
            Assert.Equal("written", File.ReadAllText(mount["g"]));
            Assert.Contains(mount.Path, FuseMounts.List());
        }
        finally
        {
            mount.Dispose();
        }
        Assert.DoesNotContain(mount.Path, FuseMounts.List());
    }

    [Fact]
    public void Interrupt_SignalledReader_HandlerSeesInterrupt()
    {
        Requires.Fuse();
        var fs = new MemFs();
        fs.AddFile(1, "slow", "never returned");
        using var mount = TestMount.Create(fs);
        var psi = new ProcessStartInfo("/bin/cat", mount["slow"]) { RedirectStandardOutput = true };
        using var cat = Process.Start(psi)!;
        try
        {
            Assert.True(fs.SlowReadStarted.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "READ of 'slow' never arrived");

            Shell.Run($"kill -INT {cat.Id}", "/");

            Assert.True(fs.SlowReadInterrupted.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "handler never saw FUSE_INTERRUPT");
            Assert.True(cat.WaitForExit(10_000));
        }
        finally
        {
            if (!cat.HasExited)
                cat.Kill();
        }
    }
}
