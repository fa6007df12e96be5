using System.Formats.Tar;
using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed partial class DeltaOverlayTests
{
    [Fact]
    public void ExportTar_MixedEdits_OciLayerWithWhiteouts()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("src/edit.cs", "old");
        bed.WriteLower("src/gone.cs", "bye");
        bed.WriteLower("untouched.txt", "same");
        bed.Write("src/edit.cs", "new content");
        Assert.Equal(Errno.Success, bed.Overlay.Unlink("src/gone.cs"));
        Assert.Equal(Errno.Success, bed.Overlay.MakeDirectory("docs", 0x1ED, bed.Uid, bed.Gid));
        Assert.Equal(Errno.Success, bed.Overlay.Create("docs/readme.md", 0x1A4, bed.Uid, bed.Gid, OverlayTestBed.O_WRONLY, out var handle));
        using (handle)
            OverlayTestBed.WriteAll(handle, "# hi");

        var entries = ReadTar(bed);

        Assert.Equal(["docs/", "docs/readme.md", "src/", "src/.wh.gone.cs", "src/edit.cs"], entries.Keys);
        Assert.Equal("new content", entries["src/edit.cs"].Content);
        Assert.Equal("# hi", entries["docs/readme.md"].Content);
        Assert.Equal(TarEntryType.RegularFile, entries["src/.wh.gone.cs"].Type);
        Assert.Equal("", entries["src/.wh.gone.cs"].Content);
        Assert.Equal(TarEntryType.Directory, entries["docs/"].Type);
        Assert.Equal((UnixFileMode)0x1A4, entries["docs/readme.md"].Mode);
    }

    [Fact]
    public void ExportTar_SymlinkOutOfTree_LinkEntryNotContent()
    {
        using var bed = new OverlayTestBed();
        Assert.Equal(Errno.Success, bed.Overlay.Symlink("passwd", "/etc/passwd", bed.Uid, bed.Gid));

        var entries = ReadTar(bed);

        var entry = Assert.Single(entries).Value;
        Assert.Equal(TarEntryType.SymbolicLink, entry.Type);
        Assert.Equal("/etc/passwd", entry.LinkName);
        Assert.Equal("", entry.Content);
    }

    [Fact]
    public void ExportTar_EmptyDelta_EmptyArchive()
    {
        using var bed = new OverlayTestBed();
        bed.WriteLower("a", "x");

        Assert.Empty(ReadTar(bed));
    }

    private sealed record TarItem(TarEntryType Type, string Content, string LinkName, UnixFileMode Mode);

    private static SortedDictionary<string, TarItem> ReadTar(OverlayTestBed bed)
    {
        using var buffer = new MemoryStream();
        Assert.Equal(Errno.Success, bed.Overlay.ExportTar(buffer));
        buffer.Position = 0;
        var result = new SortedDictionary<string, TarItem>(StringComparer.Ordinal);
        using var reader = new TarReader(buffer);
        while (reader.GetNextEntry() is { } entry)
        {
            var content = "";
            if (entry.DataStream is { } data)
                content = new StreamReader(data).ReadToEnd();
            result.Add(entry.Name, new TarItem(entry.EntryType, content, entry.LinkName, entry.Mode));
        }
        return result;
    }
}
