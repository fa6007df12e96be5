using AgentFense.Policy;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>Passthrough for large read-only files, the page cache for small ones, and their coexistence with writers.</summary>
[Trait("Requires", "Fuse")]
public class IoModeTests
{
    private static readonly byte[] s_big = Enumerable.Range(0, 3 << 20).Select(i => (byte)(i * 31)).ToArray();

    private static MountedSandbox Sandbox(long passthroughMinSize, bool passthrough = true) => new(
        [new PermissionRule("**", Permission.Write)],
        tree =>
        {
            tree.File("small.txt", "small\n");
            File.WriteAllBytes(Path.Combine(tree.Root, "big.bin"), s_big);
        },
        new SandboxFsOptions { Passthrough = passthrough, PassthroughMinSize = passthroughMinSize });

    [Fact]
    public void LargeFile_ReadsArePassedThrough_SmallFileCached()
    {
        using var sb = Sandbox(passthroughMinSize: 1 << 20);
        Assert.Equal(s_big, File.ReadAllBytes(sb["big.bin"]));
        Assert.Equal(0, sb.FileSystem.ReadRequests);
        Assert.Equal("small\n", File.ReadAllText(sb["small.txt"]));
        var afterFirst = sb.FileSystem.ReadRequests;
        Assert.True(afterFirst > 0);
        // Unchanged small file: the kernel keeps its pages, so reading again costs no READ.
        Assert.Equal("small\n", File.ReadAllText(sb["small.txt"]));
        Assert.Equal(afterFirst, sb.FileSystem.ReadRequests);
    }

    [Fact]
    public void WriterWhilePassthroughReaderOpen_IsRefusedAsBusy_NothingCopied()
    {
        using var sb = Sandbox(passthroughMinSize: 0);
        using (var reader = new FileStream(sb["big.bin"], FileMode.Open, FileAccess.Read))
        {
            reader.ReadExactly(new byte[4096]);
            var e = Assert.ThrowsAny<IOException>(() => new FileStream(sb["big.bin"], FileMode.Open, FileAccess.Write).Dispose());
            Assert.Contains("busy", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.False(File.Exists(Path.Combine(sb.Delta, "big.bin")));
        }
        // Once the reader is gone the writer gets through.
        File.WriteAllText(sb["big.bin"], "now");
        Assert.Equal("now", File.ReadAllText(sb["big.bin"]));
    }

    [Fact]
    public void WriterWhileReaderOpen_DefaultOptions_BothWork()
    {
        using var sb = Sandbox(passthroughMinSize: 0, passthrough: false);
        using var reader = new FileStream(sb["big.bin"], FileMode.Open, FileAccess.Read);
        var first = new byte[4096];
        reader.ReadExactly(first);
        using (var writer = new FileStream(sb["big.bin"], FileMode.Open, FileAccess.Write))
        {
            writer.Write("CHANGED"u8);
        }
        var rest = new byte[4096];
        reader.ReadExactly(rest);
        Assert.Equal(s_big.AsSpan(4096, 4096).ToArray(), rest);
        var now = File.ReadAllBytes(sb["big.bin"]);
        Assert.Equal("CHANGED"u8.ToArray(), now[..7]);
        Assert.Equal(s_big[7..], now[7..]);
        Assert.Equal(s_big, File.ReadAllBytes(Path.Combine(sb.Source, "big.bin")));
        Assert.Empty(sb.Log);
    }

    [Fact]
    public void CachedFileRewrittenThroughMount_NextReadSeesNewContent()
    {
        using var sb = Sandbox(passthroughMinSize: long.MaxValue);
        Assert.Equal("small\n", File.ReadAllText(sb["small.txt"]));
        File.WriteAllText(sb["small.txt"], "rewritten, longer\n");
        Assert.Equal("rewritten, longer\n", File.ReadAllText(sb["small.txt"]));
        var (code, output, _) = sb.Sh("cat small.txt");
        Assert.Equal(0, code);
        Assert.Equal("rewritten, longer\n", output);
    }
}
