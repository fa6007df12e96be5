using AgentFense.SandboxFs.Nodes;

namespace AgentFense.SandboxFs.Tests.Nodes;

public class NodeTableTests
{
    [Fact]
    public void Remember_SameName_SameNodeMoreLookups()
    {
        var table = new NodeTable();
        var a = table.Remember(table.Root, "a", isDirectory: true);
        Assert.Same(a, table.Remember(table.Root, "a", isDirectory: true));
        Assert.Equal(2, a.LookupCount);
        Assert.NotEqual(NodeTable.RootId, a.Id);
    }

    [Fact]
    public void Forget_ToZero_DropsNodeAndName()
    {
        var table = new NodeTable();
        var a = table.Remember(table.Root, "a", isDirectory: false);
        table.Remember(table.Root, "a", isDirectory: false);
        table.Forget(a.Id, 1);
        Assert.Same(a, table.Get(a.Id));
        table.Forget(a.Id, 1);
        Assert.Null(table.Get(a.Id));
        Assert.Null(table.Find(table.Root, "a"));
        var again = table.Remember(table.Root, "a", isDirectory: false);
        Assert.NotEqual(a.Id, again.Id); // ids are never reused
    }

    [Fact]
    public void Forget_Root_IsIgnored()
    {
        var table = new NodeTable();
        table.Forget(NodeTable.RootId, 100);
        Assert.Same(table.Root, table.Get(NodeTable.RootId));
    }

    [Fact]
    public void PathOf_AfterDirectoryMove_ChildrenFollow()
    {
        var table = new NodeTable();
        var src = table.Remember(table.Root, "src", isDirectory: true);
        var pkg = table.Remember(src, "pkg", isDirectory: true);
        var file = table.Remember(pkg, "main.py", isDirectory: false);
        Assert.Equal("src/pkg/main.py", table.PathOf(file));
        var lib = table.Remember(table.Root, "lib", isDirectory: true);
        table.Move(src, "pkg", lib, "renamed", exchange: false);
        Assert.Equal("lib/renamed/main.py", table.PathOf(file));
        Assert.Same(pkg, table.Find(lib, "renamed"));
        Assert.Null(table.Find(src, "pkg"));
    }

    [Fact]
    public void Move_OverExistingName_DetachesTheReplacedNode()
    {
        var table = new NodeTable();
        var a = table.Remember(table.Root, "a", isDirectory: false);
        var b = table.Remember(table.Root, "b", isDirectory: false);
        table.Move(table.Root, "a", table.Root, "b", exchange: false);
        Assert.Same(a, table.Find(table.Root, "b"));
        Assert.Null(table.Find(table.Root, "a"));
        Assert.Equal("b", table.PathOf(a));
        Assert.Same(b, table.Get(b.Id)); // still held by the kernel until forgotten
    }

    [Fact]
    public void Move_Exchange_SwapsNames()
    {
        var table = new NodeTable();
        var a = table.Remember(table.Root, "a", isDirectory: true);
        var b = table.Remember(table.Root, "b", isDirectory: false);
        var inA = table.Remember(a, "x", isDirectory: false);
        table.Move(table.Root, "a", table.Root, "b", exchange: true);
        Assert.Equal("b", table.PathOf(a));
        Assert.Equal("a", table.PathOf(b));
        Assert.Equal("b/x", table.PathOf(inA));
    }

    [Fact]
    public void AddAlias_UnlinkPrimary_NodeCarriesOnUnderAlias()
    {
        var table = new NodeTable();
        var dir = table.Remember(table.Root, "d", isDirectory: true);
        var f = table.Remember(table.Root, "f", isDirectory: false);
        table.AddAlias(f, dir, "g");
        Assert.Same(f, table.Find(dir, "g"));
        Assert.Equal(2, f.LookupCount);
        table.Detach(table.Root, "f");
        Assert.Equal("d/g", table.PathOf(f));
        Assert.Null(table.Find(table.Root, "f"));
        table.Move(dir, "g", table.Root, "h", exchange: false);
        Assert.Equal("h", table.PathOf(f));
    }

    [Fact]
    public void AddAlias_RenameAlias_PrimaryUnchanged()
    {
        var table = new NodeTable();
        var f = table.Remember(table.Root, "f", isDirectory: false);
        table.AddAlias(f, table.Root, "g");
        table.Move(table.Root, "g", table.Root, "h", exchange: false);
        Assert.Equal("f", table.PathOf(f));
        Assert.Same(f, table.Find(table.Root, "h"));
        table.Forget(f.Id, 2);
        Assert.Null(table.Find(table.Root, "f"));
        Assert.Null(table.Find(table.Root, "h"));
    }
}
