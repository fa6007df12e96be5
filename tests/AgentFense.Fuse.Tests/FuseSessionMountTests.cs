using System.Text;
using AgentFense.TestSupport;

namespace AgentFense.Fuse.Tests;

[Trait("Requires", "Fuse")]
public class FuseSessionMountTests
{
    [Fact]
    public void Mount_ShellFileOperations_BehaveLikeAFilesystem()
    {
        Requires.Fuse();
        var fs = new MemFs();
        fs.AddFile(1, "hello.txt", "hello\n");
        using var mount = TestMount.Create(fs);

        var (code, stdout, stderr) = mount.Sh("""
            set -e
            ls
            cat hello.txt
            echo world > new.txt
            echo more >> new.txt
            cat new.txt
            mkdir -p d/e
            mv new.txt d/e/moved.txt
            ls d/e
            ln -s d/e/moved.txt link
            readlink link
            cat link
            ln d/e/moved.txt hard
            stat -c '%h %s' hard
            truncate -s 3 hard
            cat hard; echo
            chmod 600 hard
            stat -c '%a' d/e/moved.txt
            rm hard link
            rm -r d
            ls -a
            """);

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal(
            "hello.txt\nhello\nworld\nmore\nmoved.txt\nd/e/moved.txt\nworld\nmore\n2 11\nwor\n600\n.\n..\nhello.txt\n",
            stdout);
    }

    [Fact]
    public void Mount_SystemIo_ReadsWritesAndLists()
    {
        Requires.Fuse();
        var fs = new MemFs();
        using var mount = TestMount.Create(fs);
        var big = new byte[3 << 20];
        new Random(1).NextBytes(big);

        File.WriteAllBytes(mount["big.bin"], big);
        Directory.CreateDirectory(mount["sub"]);
        for (int i = 0; i < 300; i++)
            File.WriteAllText(mount[$"sub/f{i:D3}"], i.ToString());

        Assert.Equal(big, File.ReadAllBytes(mount["big.bin"]));
        var names = Directory.GetFiles(mount["sub"]).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(300, names.Length);
        Assert.Equal("f000", names[0]);
        Assert.Equal("299", File.ReadAllText(mount["sub/f299"]));
        Assert.Equal(big.Length, new FileInfo(mount["big.bin"]).Length);
    }

    [Fact]
    public void Mount_XAttrs_RoundTrip()
    {
        Requires.Fuse();
        Requires.Program("setfattr");
        var fs = new MemFs();
        fs.AddFile(1, "f", "x");
        using var mount = TestMount.Create(fs);

        var (code, stdout, stderr) = mount.Sh("setfattr -n user.k -v val f && getfattr --only-values -n user.k f && echo && getfattr -d f | grep user.k && setfattr -x user.k f && getfattr -d f | wc -l");

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("val\nuser.k=\"val\"\n0\n", stdout);
    }

    [Fact]
    public void Mount_Dispose_UnmountsAndCallsDestroy()
    {
        Requires.Fuse();
        var fs = new MemFs();
        var mount = TestMount.Create(fs);
        string path = mount.Path;
        Assert.Contains(path, FuseMounts.List());
        Assert.True(mount.Session.IsConnected);

        mount.Dispose();

        Assert.DoesNotContain(path, FuseMounts.List());
        Assert.False(mount.Session.IsConnected);
        Assert.True(fs.Destroyed);
    }

    [Fact]
    public void Mount_UnimplementedOperations_ReturnENOSYSWithoutHanging()
    {
        Requires.Fuse();
        using var mount = TestMount.Create(new RootOnlyFs());

        var (code, _, stderr) = mount.Sh("mkdir x; echo hi > y; ln -s a b; ls");

        Assert.NotEqual(0, code);
        Assert.Contains("Function not implemented", stderr);
        Assert.True(Directory.Exists(mount.Path));
    }

    /// <summary>Only the root directory's attributes; everything else is the base class's ENOSYS.</summary>
    private sealed class RootOnlyFs : FuseFileSystem
    {
        public override Errno GetAttr(in FuseContext ctx, ulong? fh, out FuseAttrOut attr)
        {
            attr = default;
            if (ctx.NodeId != 1)
                return Errno.ENOENT;
            attr.Attr = new FuseAttr { Ino = 1, Mode = 0x4000 | 0x1ED, NLink = 2 };
            return Errno.Success;
        }

        public override Errno Lookup(in FuseContext ctx, ReadOnlySpan<byte> name, out FuseEntryOut entry)
        {
            entry = default;
            return Errno.ENOENT;
        }
    }
}
