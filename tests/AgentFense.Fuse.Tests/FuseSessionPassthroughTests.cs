using AgentFense.TestSupport;

namespace AgentFense.Fuse.Tests;

[Trait("Requires", "Fuse")]
public class FuseSessionPassthroughTests
{
    [Fact]
    public void Read_BackedFile_GoesToHostFileWithoutReadRequests()
    {
        Requires.Fuse();
        var host = Path.GetTempFileName();
        try
        {
            var content = new byte[(2 << 20) + 123];
            new Random(7).NextBytes(content);
            File.WriteAllBytes(host, content);
            var fs = new MemFs();
            fs.AddFile(1, "pt.bin", "", backingPath: host);
            using var mount = TestMount.Create(fs);
            Assert.True(mount.Session.Connection!.Passthrough, "kernel did not negotiate FUSE_PASSTHROUGH");

            var read = File.ReadAllBytes(mount["pt.bin"]);
            using (var a = File.OpenRead(mount["pt.bin"]))
            using (var b = File.OpenRead(mount["pt.bin"]))
            {
                // Two concurrent opens of one node share one backing id.
                Assert.Equal(content[0], (byte)a.ReadByte());
                Assert.Equal(content[0], (byte)b.ReadByte());
            }

            Assert.Equal(content, read);
            Assert.Equal(0, fs.ReadCalls);
            // RELEASE is sent asynchronously after close; the last one closes the backing id.
            Assert.True(SpinWait.SpinUntil(() => mount.Session.BackingCount == 0, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            File.Delete(host);
        }
    }

    [Fact]
    public void Write_BackedFile_GoesToHostFile()
    {
        Requires.Fuse();
        var host = Path.GetTempFileName();
        try
        {
            File.WriteAllText(host, "0123456789");
            var fs = new MemFs();
            fs.AddFile(1, "w.txt", "", backingPath: host);
            using var mount = TestMount.Create(fs);

            using (var stream = new FileStream(mount["w.txt"], FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Position = 2;
                stream.Write("ab"u8);
            }

            Assert.Equal("01ab456789", File.ReadAllText(host));
        }
        finally
        {
            File.Delete(host);
        }
    }

    [Fact]
    public void Read_PassthroughDisabled_FallsBackToReadRequests()
    {
        Requires.Fuse();
        var host = Path.GetTempFileName();
        try
        {
            File.WriteAllText(host, "from host");
            var fs = new MemFs();
            fs.AddFile(1, "pt.txt", "", backingPath: host);
            using var mount = TestMount.Create(fs, new MountOptions { Passthrough = false });

            var text = File.ReadAllText(mount["pt.txt"]);

            Assert.False(mount.Session.Connection!.Passthrough);
            Assert.Equal("from host", text);
            Assert.True(fs.ReadCalls > 0);
        }
        finally
        {
            File.Delete(host);
        }
    }

    [Fact]
    public void Open_DifferentBackingWhileFirstIsOpen_IsRefusedNotMisrouted()
    {
        Requires.Fuse();
        var lower = Path.GetTempFileName();
        var upper = Path.GetTempFileName();
        try
        {
            File.WriteAllText(lower, "lower");
            File.WriteAllText(upper, "upper");
            var fs = new MemFs();
            ulong id = fs.AddFile(1, "f", "", backingPath: lower);
            using var mount = TestMount.Create(fs);
            using var first = File.OpenRead(mount["f"]);

            fs.SetBackingPath(id, upper);
            var error = Record.Exception(() => File.ReadAllText(mount["f"]));

            // The second open must never read through the first backing file; the kernel refuses the mix.
            Assert.IsAssignableFrom<IOException>(error);
            Assert.Equal(1, mount.Session.BackingCount);
        }
        finally
        {
            File.Delete(lower);
            File.Delete(upper);
        }
    }
}
