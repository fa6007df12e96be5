using AgentFense.TestSupport;

namespace AgentFense.Fuse.Tests;

[Trait("Requires", "Fuse")]
public class FuseSessionAllocationTests
{
    [Fact]
    public void Serve_SteadyStateLookupsAndGetAttrs_AllocateNothingOnWorkers()
    {
        Requires.Fuse();
        var fs = new CountingFs();
        using var server = new FuseServer(workerCount: 1); // one worker: every request runs on the same thread
        using var mount = TestMount.Create(fs, server: server);

        for (int i = 0; i < 300; i++)
            File.Exists(mount["x"]); // zero timeouts: every call is a LOOKUP round trip
        long before = fs.AllocatedOnWorker;
        int callsBefore = fs.Calls;
        for (int i = 0; i < 300; i++)
            File.Exists(mount["x"]);

        Assert.True(fs.Calls - callsBefore >= 300, $"only {fs.Calls - callsBefore} requests reached the filesystem");
        Assert.Equal(0, fs.AllocatedOnWorker - before);
    }

    /// <summary>Answers every lookup with one regular file and records the worker thread's allocation counter.</summary>
    private sealed class CountingFs : FuseFileSystem
    {
        private long _allocated;
        private int _calls;

        public long AllocatedOnWorker => Volatile.Read(ref _allocated);

        public int Calls => Volatile.Read(ref _calls);

        public override Errno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry)
        {
            Record();
            entry = new FuseEntryOut { NodeId = 2, Attr = new FuseAttr { Ino = 2, Mode = 0x8000 | 0x1A4, NLink = 1 } };
            return Errno.Success;
        }

        public override Errno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr)
        {
            Record();
            attr = default;
            attr.Attr = new FuseAttr { Ino = ctx.NodeId, Mode = ctx.NodeId == 1 ? 0x4000u | 0x1ED : 0x8000u | 0x1A4, NLink = 1 };
            return Errno.Success;
        }

        private void Record()
        {
            Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Increment(ref _calls);
        }
    }
}
