using AgentFense.TestSupport;

namespace AgentFense.Fuse.Tests;

[Trait("Requires", "Fuse")]
public class FuseSessionNotifyTests
{
    private static MemFs LongCachingFs() => new() { EntryTimeout = TimeSpan.FromHours(1), AttrTimeout = TimeSpan.FromHours(1) };

    [Fact]
    public void NotifyInvalInode_AfterHiddenChange_LaterStatSeesNewSize()
    {
        Requires.Fuse();
        var fs = LongCachingFs();
        ulong id = fs.AddFile(1, "a.txt", "hello");
        using var mount = TestMount.Create(fs);
        Assert.Equal(5, new FileInfo(mount["a.txt"]).Length);

        fs.SetContent(id, "hello world");
        long cached = new FileInfo(mount["a.txt"]).Length;
        var err = mount.Session.NotifyInvalInode(id, offset: 0);

        Assert.Equal(5, cached);
        Assert.Equal(Errno.Success, err);
        Assert.Equal(11, new FileInfo(mount["a.txt"]).Length);
        Assert.Equal("hello world", File.ReadAllText(mount["a.txt"]));
    }

    [Fact]
    public void NotifyInvalEntry_AfterHiddenRemoval_NameIsGone()
    {
        Requires.Fuse();
        var fs = LongCachingFs();
        fs.AddFile(1, "gone.txt", "x");
        using var mount = TestMount.Create(fs);
        Assert.True(File.Exists(mount["gone.txt"]));

        fs.RemoveName(1, "gone.txt");
        bool cached = File.Exists(mount["gone.txt"]);
        var err = mount.Session.NotifyInvalEntry(1, "gone.txt"u8);

        Assert.True(cached);
        Assert.Equal(Errno.Success, err);
        Assert.False(File.Exists(mount["gone.txt"]));
    }

    [Fact]
    public void NotifyDelete_AfterHiddenRemoval_NameIsGone()
    {
        Requires.Fuse();
        var fs = LongCachingFs();
        ulong dir = fs.AddDirectory(1, "d");
        ulong child = fs.AddFile(dir, "f", "x");
        using var mount = TestMount.Create(fs);
        Assert.True(File.Exists(mount["d/f"]));

        fs.RemoveName(dir, "f");
        var err = mount.Session.NotifyDelete(dir, child, "f"u8);

        Assert.Equal(Errno.Success, err);
        Assert.False(File.Exists(mount["d/f"]));
    }

    [Fact]
    public void NotifyInvalInode_UnknownNode_ReturnsENOENT()
    {
        Requires.Fuse();
        using var mount = TestMount.Create(new MemFs());

        Assert.Equal(Errno.ENOENT, mount.Session.NotifyInvalInode(12345));
    }

    [Fact]
    public void Notify_FromManyThreads_AllSucceed()
    {
        Requires.Fuse();
        var fs = LongCachingFs();
        var ids = Enumerable.Range(0, 16).Select(i => fs.AddFile(1, $"f{i}", "x")).ToArray();
        using var mount = TestMount.Create(fs);
        foreach (var i in Enumerable.Range(0, 16))
            Assert.True(File.Exists(mount[$"f{i}"]));

        var results = new Errno[16 * 50];
        Parallel.For(0, results.Length, i => results[i] = mount.Session.NotifyInvalInode(ids[i % 16]));

        Assert.All(results, r => Assert.Equal(Errno.Success, r));
    }

    [Fact]
    public void Notify_AfterUnmount_ReturnsENOTCONN()
    {
        Requires.Fuse();
        var mount = TestMount.Create(new MemFs());
        mount.Dispose();

        Assert.Equal(Errno.ENOTCONN, mount.Session.NotifyInvalEntry(1, "x"u8));
    }
}
