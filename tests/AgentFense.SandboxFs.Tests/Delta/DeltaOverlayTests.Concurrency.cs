using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    private const int Block = 4096;

    [Fact]
    public async Task OpenFile_ManyThreadsSameAndDifferentFiles_EveryByteKept()
    {
        const int files = 12;
        const int threads = 6;
        using var bed = new OverlayTestBed();
        var original = new byte[threads * Block * 4];
        Random.Shared.NextBytes(original);
        for (var f = 0; f < files; f++)
        {
            Directory.CreateDirectory(bed.LowerPath($"dir{f % 3}/sub"));
            File.WriteAllBytes(bed.LowerPath($"dir{f % 3}/sub/file{f}.bin"), original);
        }
        _ = bed.Overlay; // one overlay per delta: create it before the threads race for it
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var round = 0; round < files; round++)
            {
                // Even threads all hit the same file at once; odd ones spread out.
                var f = t % 2 == 0 ? round : (round + t) % files;
                Assert.Equal(Errno.Success, bed.Overlay.OpenFile($"dir{f % 3}/sub/file{f}.bin", OverlayTestBed.O_RDWR, out var handle));
                using (handle)
                {
                    Assert.Equal(Errno.Success, bed.Overlay.ReserveWrite(handle, t * Block, Block));
                    RandomAccess.Write(handle, Pattern(t, f), t * Block);
                }
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var reader = Task.Factory.StartNew(() =>
        {
            // Lock-free lookups during copy-ups: a file is always there, whole, in one layer or the other.
            while (!workers.All(w => w.IsCompleted))
            {
                for (var f = 0; f < files; f++)
                {
                    Assert.Equal(Errno.Success, bed.Overlay.GetAttributes($"dir{f % 3}/sub/file{f}.bin", out var attributes));
                    Assert.Equal(original.Length, attributes.Size);
                }
                Assert.Equal(4, bed.List($"dir0/sub").Count);
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(workers);
        await reader;

        for (var f = 0; f < files; f++)
        {
            var expected = (byte[])original.Clone();
            for (var t = 0; t < threads; t++)
                Pattern(t, f).CopyTo(expected, t * Block);
            Assert.Equal(expected, File.ReadAllBytes(bed.UpperPath($"dir{f % 3}/sub/file{f}.bin")));
            Assert.Equal(original, File.ReadAllBytes(bed.LowerPath($"dir{f % 3}/sub/file{f}.bin")));
        }
        Assert.Empty(Directory.GetFileSystemEntries(bed.UpperPath(".wh..wh..work")));
        Assert.Equal(files * (long)original.Length, bed.Overlay.Quota.Used);
    }

    [Fact]
    public async Task Namespace_ManyThreadsInOneDirectory_ConsistentListing()
    {
        const int threads = 6;
        const int perThread = 40;
        using var bed = new OverlayTestBed();
        for (var i = 0; i < threads * perThread; i++)
            bed.WriteLower($"shared/lower{i}", "x");
        _ = bed.Overlay; // one overlay per delta: create it before the threads race for it
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                var n = t * perThread + i;
                Assert.Equal(Errno.Success, bed.Overlay.Create($"shared/new{n}", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
                handle.Dispose();
                Assert.Equal(Errno.Success, bed.Overlay.Unlink($"shared/lower{n}"));
                Assert.Equal(Errno.Success, bed.Overlay.Rename($"shared/new{n}", $"shared/moved{n}"));
                bed.Overlay.ReadDirectory("shared", []);
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(workers);

        var expected = Enumerable.Range(0, threads * perThread).Select(n => $"moved{n}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, bed.List("shared"));
    }

    private static byte[] Pattern(int thread, int file)
    {
        var bytes = new byte[Block];
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)(thread * 31 + file * 7 + i);
        return bytes;
    }
}
