using System.Formats.Tar;
using AgentFense.Policy;
using AgentFense.SandboxFs.Delta;
using Errno = AgentFense.SandboxFs.Delta.Errno;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>Copy-on-write behaviour seen through a real mount, and the delta operations the engine uses.</summary>
[Trait("Requires", "Fuse")]
public class DeltaThroughMountTests
{
    private static MountedSandbox Sandbox(SandboxFsOptions? options = null) => new(
        [new PermissionRule("**", Permission.Write), new PermissionRule("**/.env*", Permission.None, Priority: 100)],
        tree => tree
            .File("src/a.txt", "lower a\n")
            .File("src/b.txt", "lower b\n")
            .File("src/deep/c.txt", "lower c\n")
            .File("docs/readme.md", "readme\n")
            .File(".env", "SECRET=1\n")
            .Symlink("link-to-a", "src/a.txt"),
        options);

    private static string Source(MountedSandbox sb, string path) => File.ReadAllText(Path.Combine(sb.Source, path));

    [Fact]
    public void Write_CopiesUp_SourceUntouched()
    {
        using var sb = Sandbox();
        File.AppendAllText(sb["src/a.txt"], "more\n");
        Assert.Equal("lower a\nmore\n", File.ReadAllText(sb["src/a.txt"]));
        Assert.Equal("lower a\n", Source(sb, "src/a.txt"));
        Assert.Equal("lower a\nmore\n", File.ReadAllText(Path.Combine(sb.Delta, "src/a.txt")));
        Assert.Equal("lower a\nmore\n", File.ReadAllText(sb["link-to-a"]));
    }

    [Fact]
    public void Delete_LeavesWhiteout_NameGone()
    {
        using var sb = Sandbox();
        File.Delete(sb["src/b.txt"]);
        Assert.False(File.Exists(sb["src/b.txt"]));
        Assert.DoesNotContain("b.txt", Directory.GetFiles(sb["src"]).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(sb.Source, "src/b.txt")));
        Assert.True(File.Exists(Path.Combine(sb.Delta, "src/.wh.b.txt")));
    }

    [Fact]
    public void DirectoryRemovedAndRecreated_IsOpaque()
    {
        using var sb = Sandbox();
        var (code, _, err) = sb.Sh("rm -r src/deep && mkdir src/deep && echo new > src/deep/n.txt && ls src/deep");
        Assert.True(code == 0, err);
        Assert.Equal(["n.txt"], Directory.GetFileSystemEntries(sb["src/deep"]).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(sb.Source, "src/deep/c.txt")));
    }

    [Fact]
    public void RenameOfLowerFileAndDirectory_Works()
    {
        using var sb = Sandbox();
        File.Move(sb["src/a.txt"], sb["docs/a-moved.txt"]);
        Directory.Move(sb["src/deep"], sb["moved-deep"]);
        Assert.Equal("lower a\n", File.ReadAllText(sb["docs/a-moved.txt"]));
        Assert.Equal("lower c\n", File.ReadAllText(sb["moved-deep/c.txt"]));
        Assert.False(File.Exists(sb["src/a.txt"]));
        Assert.False(Directory.Exists(sb["src/deep"]));
        Assert.Equal("lower a\n", Source(sb, "src/a.txt"));
    }

    [Fact]
    public void RenameOverHiddenPath_IsRefused()
    {
        using var sb = Sandbox();
        var (code, _, _) = sb.Sh("mv src/a.txt .env");
        Assert.NotEqual(0, code);
        Assert.Equal("SECRET=1\n", Source(sb, ".env"));
        Assert.True(File.Exists(sb["src/a.txt"]));
    }

    [Fact]
    public void Changes_Commit_AppliesToSourceAndViewStaysConsistent()
    {
        using var sb = Sandbox();
        File.WriteAllText(sb["src/a.txt"], "changed\n");
        File.WriteAllText(sb["src/new.txt"], "new\n");
        File.Delete(sb["docs/readme.md"]);
        var changes = new List<DeltaChange>();
        Assert.Equal(Errno.Success, sb.FileSystem.Overlay.ListChanges(changes));
        Assert.Contains(changes, c => c.Path == "src/a.txt" && c.Kind == ChangeKind.Modified);
        Assert.Contains(changes, c => c.Path == "src/new.txt" && c.Kind == ChangeKind.Added);
        Assert.Contains(changes, c => c.Path == "docs/readme.md" && c.Kind == ChangeKind.Deleted);

        Assert.Equal(Errno.Success, sb.FileSystem.Overlay.Commit(out var result));
        sb.FileSystem.InvalidateAll();
        Assert.Empty(result.Conflicts);
        Assert.Equal("changed\n", Source(sb, "src/a.txt"));
        Assert.Equal("new\n", Source(sb, "src/new.txt"));
        Assert.False(File.Exists(Path.Combine(sb.Source, "docs/readme.md")));
        Assert.Equal("changed\n", File.ReadAllText(sb["src/a.txt"]));
        var after = new List<DeltaChange>();
        sb.FileSystem.Overlay.ListChanges(after);
        Assert.Empty(after);
    }

    [Fact]
    public void Commit_SourceChangedMeanwhile_ReportsConflict()
    {
        using var sb = Sandbox();
        File.WriteAllText(sb["src/a.txt"], "agent\n");
        File.WriteAllText(Path.Combine(sb.Source, "src/a.txt"), "human edit\n");
        Assert.Equal(Errno.Success, sb.FileSystem.Overlay.Commit(out var result));
        Assert.Contains(result.Conflicts, c => c.Path == "src/a.txt");
    }

    [Fact]
    public void Discard_DropsChanges_AndTheViewShowsTheSourceAgain()
    {
        using var sb = Sandbox();
        Assert.Equal("lower b\n", File.ReadAllText(sb["src/b.txt"]));
        File.WriteAllText(sb["src/b.txt"], "changed\n");
        File.Delete(sb["src/a.txt"]);
        Assert.False(File.Exists(sb["src/a.txt"]));
        Assert.Equal(Errno.Success, sb.FileSystem.Overlay.Discard());
        sb.FileSystem.InvalidateAll();
        // Both the cached attributes/pages and the cached absence are dropped.
        Assert.Equal("lower b\n", File.ReadAllText(sb["src/b.txt"]));
        Assert.True(File.Exists(sb["src/a.txt"]));
    }

    [Fact]
    public void Export_TarHoldsChangesAndWhiteouts_LinksNotFollowed()
    {
        using var sb = Sandbox();
        File.WriteAllText(sb["src/new.txt"], "new\n");
        File.CreateSymbolicLink(sb["src/passwd-link"], "/etc/passwd");
        File.Delete(sb["src/b.txt"]);
        using var tar = new MemoryStream();
        Assert.Equal(Errno.Success, sb.FileSystem.Overlay.ExportTar(tar));
        tar.Position = 0;
        var entries = new Dictionary<string, TarEntry>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry(copyData: true) is { } entry)
            entries[entry.Name.TrimStart('.', '/')] = entry;
        Assert.Contains("src/new.txt", entries.Keys);
        Assert.Equal(TarEntryType.SymbolicLink, entries["src/passwd-link"].EntryType);
        Assert.Equal("/etc/passwd", entries["src/passwd-link"].LinkName);
        Assert.Contains("src/.wh.b.txt", entries.Keys);
    }

    [Fact]
    public void DeltaLimit_WritesPastItFailWithEnospc_NothingLost()
    {
        using var sb = Sandbox(new SandboxFsOptions { DeltaSizeLimit = 256 * 1024 });
        File.WriteAllText(sb["src/keep.txt"], "kept\n");
        var (code, _, err) = sb.Sh("head -c 1000000 /dev/zero > src/big.bin");
        Assert.NotEqual(0, code);
        Assert.Contains("No space left", err);
        Assert.Equal("kept\n", File.ReadAllText(sb["src/keep.txt"]));
        Assert.True(sb.FileSystem.Overlay.Quota.Used <= 256 * 1024);
        var df = sb.Sh("df -k . | tail -1");
        Assert.Equal(0, df.Code);
    }

    [Fact]
    public void PolicyUpdate_AppliesAtOnce()
    {
        using var sb = Sandbox();
        Assert.True(File.Exists(sb["docs/readme.md"]));
        sb.FileSystem.UpdatePolicy(PolicyMatcher.Compile([new PermissionRule("src/**", Permission.Read)]));
        Assert.False(File.Exists(sb["docs/readme.md"]));
        Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(sb["src/a.txt"], "x"));
        Assert.Equal("lower a\n", File.ReadAllText(sb["src/a.txt"]));
    }

    [Fact]
    public void Audit_RecordsEachKindOfRefusal()
    {
        using var sb = new MountedSandbox(
            [new PermissionRule("**", Permission.Read), new PermissionRule("v.txt", Permission.View, PatternType.File, 5),
             new PermissionRule("h.txt", Permission.None, PatternType.File, 5)],
            tree => tree.File("r.txt", "r").File("v.txt", "v").File("h.txt", "h"));
        sb.Sh("cat h.txt; cat v.txt; echo x > r.txt; rm r.txt; mkdir d; chmod 600 r.txt");
        var operations = sb.FileSystem.Audit.Snapshot().Select(e => (e.Operation, e.Path)).ToHashSet();
        Assert.Contains(("lookup", "h.txt"), operations);
        Assert.Contains(("open-read", "v.txt"), operations);
        Assert.Contains(("open-write", "r.txt"), operations);
        Assert.Contains(("unlink", "r.txt"), operations);
        Assert.Contains(("mkdir", "d"), operations);
        Assert.Contains(("chmod", "r.txt"), operations);
        Assert.True(sb.FileSystem.Audit.TotalRefused >= 6);
    }
}
