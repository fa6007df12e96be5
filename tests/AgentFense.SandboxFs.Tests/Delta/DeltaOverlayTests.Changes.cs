using AgentFense.SandboxFs.Delta;
using AgentFense.TestSupport;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void ListChanges_MixedEdits_AddedModifiedDeleted()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("keep.txt", "same");
        bed.WriteLower("edit.txt", "before");
        bed.WriteLower("gone.txt", "bye");
        bed.WriteLower("olddir/x", "x");
        bed.WriteLower("src/lib.cs", "code");
        bed.Write("edit.txt", "after!!");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("gone.txt"));
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("olddir/x"));
        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("olddir"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("newdir", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Symlink("newdir/link", "../keep.txt", bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Create("src/new.cs", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
        handle.Dispose();

        var changes = bed.Changes();

        Assert.Equal(
            [
                new DeltaChange("edit.txt", ChangeKind.Modified, FileKind.Regular, 7),
                new DeltaChange("gone.txt", ChangeKind.Deleted, FileKind.Regular, 3),
                new DeltaChange("newdir", ChangeKind.Added, FileKind.Directory, 0),
                new DeltaChange("newdir/link", ChangeKind.Added, FileKind.Symlink, 11),
                new DeltaChange("olddir", ChangeKind.Deleted, FileKind.Directory, 0),
                new DeltaChange("src/new.cs", ChangeKind.Added, FileKind.Regular, 0),
            ],
            changes);
    }

    [Fact]
    public void ListChanges_CopiedUpButUnchanged_NotReported()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "same");
        Assert.Equal(Errno.Success, bed.Overlay.OpenFile("a", OverlayTestBed.O_RDWR, out var handle));
        handle.Dispose();
        Assert.Equal(Errno.Success, bed.Overlay.SetTimes("a", TimeUpdate.Now, TimeUpdate.Now));

        Assert.Empty(bed.Changes());
        Assert.Equal(Errno.Success, bed.Overlay.Chmod("a", 0x1C0));
        Assert.Equal([new DeltaChange("a", ChangeKind.Modified, FileKind.Regular, 4)], bed.Changes());
    }

    [Fact]
    public void ListChanges_RecreatedDirectory_LowerChildrenDeleted()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("d/a", "1");
        bed.WriteLower("d/b", "2");
        Assert.Equal(Errno.Success, bed.Overlay.Rename("d", "e"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("d", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Create("d/a", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
        handle.Dispose();

        var changes = bed.Changes().Where(c => c.Path.StartsWith("d/", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            [
                new DeltaChange("d/a", ChangeKind.Modified, FileKind.Regular, 0),
                new DeltaChange("d/b", ChangeKind.Deleted, FileKind.Regular, 1),
            ],
            changes);
    }

    [Fact]
    public void Commit_MixedEdits_CodebaseUpdatedAndDeltaEmpty()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("edit.txt", "before");
        bed.WriteLower("gone.txt", "bye");
        bed.WriteLower("olddir/x", "x");
        bed.WriteLower("moved/inner.txt", "in");
        bed.Write("edit.txt", "after");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("gone.txt"));
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("olddir/x"));
        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("olddir"));
        Assert.Equal(Errno.Success, bed.Overlay.Rename("moved", "renamed"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("newdir", 0x1C0, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.MakeNode("newdir/fifo", 0x1000 | 0x1A4, 0, bed.Uid, bed.Gid));

        Assert.Equal(Errno.Success, bed.Overlay.Commit(out var result));

        Assert.Empty(result.Conflicts);
        Assert.Equal("after", File.ReadAllText(bed.LowerPath("edit.txt")));
        Assert.False(File.Exists(bed.LowerPath("gone.txt")));
        Assert.False(Directory.Exists(bed.LowerPath("olddir")));
        Assert.False(Directory.Exists(bed.LowerPath("moved")));
        Assert.Equal("in", File.ReadAllText(bed.LowerPath("renamed/inner.txt")));
        Assert.Equal(Errno.Success, HostFs.Lstat(bed.LowerPath("newdir/fifo"), out var fifo));
        Assert.Equal(FileKind.Fifo, HostFs.Kind(fifo));
        Assert.Equal(0x1C0u, ModeOf(bed.LowerPath("newdir")));
        Assert.Empty(bed.Changes());
        Assert.Equal([Whiteout.WorkDirectory], Directory.GetFileSystemEntries(bed.Upper).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(bed.Lower, ".wh.*", SearchOption.AllDirectories));
        Assert.Equal(0, bed.Overlay.Quota.Used);
        Assert.Equal("after", bed.Read("edit.txt"));
    }

    [Fact]
    public void Commit_CodebaseChangedSinceCopyUp_ConflictReportedLastWriterWins()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a.txt", "v1");
        bed.WriteLower("b.txt", "v1");
        bed.WriteLower("c.txt", "v1");
        bed.Write("a.txt", "sandbox");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("b.txt"));
        bed.Write("c.txt", "sandbox");
        // Someone else commits to the codebase meanwhile (a new inode, as an atomic writer does).
        File.WriteAllText(bed.LowerPath("a.txt.tmp"), "other writer");
        File.Move(bed.LowerPath("a.txt.tmp"), bed.LowerPath("a.txt"), overwrite: true);
        File.WriteAllText(bed.LowerPath("b.txt"), "other writer, longer");

        Assert.Equal(Errno.Success, bed.Overlay.Commit(out var result));

        Assert.Equal(["a.txt", "b.txt"], result.Conflicts.Select(c => c.Path));
        Assert.Equal(3, result.Applied.Count);
        Assert.Equal("sandbox", File.ReadAllText(bed.LowerPath("a.txt")));
        Assert.False(File.Exists(bed.LowerPath("b.txt")));
        Assert.Equal("sandbox", File.ReadAllText(bed.LowerPath("c.txt")));
    }

    [Fact]
    public void Commit_SymlinkOutOfTree_LinkCommittedNotContent()
    {
        using var bed = new OverlayTestBed();
        bed.MakeLowerDirectory("conf");
        Assert.Equal(Errno.Success, bed.Overlay.Symlink("conf/passwd", "/etc/passwd", bed.Uid, bed.Gid));

        Assert.Equal(Errno.Success, bed.Overlay.Commit(out _));

        var info = new FileInfo(bed.LowerPath("conf/passwd"));
        Assert.Equal("/etc/passwd", info.LinkTarget);
        Assert.Equal(Errno.Success, HostFs.Lstat(bed.LowerPath("conf/passwd"), out var st));
        Assert.Equal(FileKind.Symlink, HostFs.Kind(st));
    }

    [Fact]
    public void Commit_DirectoryReplacedBySymlink_LinkNotWrittenThrough()
    {
        using var bed = new OverlayTestBed();
        using var outside = new TempDirectory();
        bed.WriteLower("d/file", "x");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("d/file"));
        Assert.Equal(Errno.Success, bed.Overlay.RemoveDirectory("d"));
        Assert.Equal(Errno.Success, bed.Overlay.Symlink("d", outside.Path, bed.Uid, bed.Gid));

        Assert.Equal(Errno.Success, bed.Overlay.Commit(out _));

        Assert.Equal(outside.Path, new FileInfo(bed.LowerPath("d")).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(outside.Path));
    }

    [Fact]
    public void Discard_MixedEdits_ViewIsCodebaseAgain()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "1");
        bed.WriteLower("d/b", "2");
        bed.Write("a", "changed");
        Assert.Equal(Errno.Success, bed.Overlay.Rename("d", "e"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("new", 0x1ED, bed.Uid, bed.Gid));

        Assert.Equal(Errno.Success, bed.Overlay.Discard());

        Assert.Equal(["a", "d"], bed.List(""));
        Assert.Equal("1", bed.Read("a"));
        Assert.Equal("2", bed.Read("d/b"));
        Assert.Empty(bed.Changes());
    }
}
