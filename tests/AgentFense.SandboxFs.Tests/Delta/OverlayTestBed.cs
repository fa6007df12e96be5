using AgentFense.SandboxFs.Delta;
using AgentFense.TestSupport;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.SandboxFs.Tests.Delta;

/// <summary>A codebase (lower) and a delta (upper) in fresh temp directories, with an overlay over them.</summary>
internal sealed class OverlayTestBed : IDisposable
{
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_TRUNC = 0x200;

    private readonly TempDirectory _root = new("agentfense-delta-");
    private DeltaOverlay? _overlay;

    public OverlayTestBed()
    {
        Lower = Directory.CreateDirectory(System.IO.Path.Combine(_root.Path, "lower")).FullName;
        Upper = System.IO.Path.Combine(_root.Path, "upper");
    }

    public string Lower { get; }

    public string Upper { get; }

    public long SizeLimit { get; set; } = long.MaxValue;

    /// <summary>The test's effective uid: new entries owned by it need no privilege to create.</summary>
    public uint Uid { get; } = IdFromProcStatus("Uid:");

    /// <summary>The test's effective gid.</summary>
    public uint Gid { get; } = IdFromProcStatus("Gid:");

    private static uint IdFromProcStatus(string field)
    {
        // "Uid:\treal\teffective\tsaved\tfs"
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The overlay, created on first use (so tests can fill the codebase first).</summary>
    public DeltaOverlay Overlay => _overlay ??= new DeltaOverlay(Lower, Upper, SizeLimit);

    /// <summary>A fresh overlay over the same directories (as after a restart).</summary>
    public DeltaOverlay Reopen() => _overlay = new DeltaOverlay(Lower, Upper, SizeLimit);

    public string LowerPath(string relative) => System.IO.Path.Combine(Lower, relative);

    public string UpperPath(string relative) => System.IO.Path.Combine(Upper, relative);

    public string WriteLower(string relative, string content = "")
    {
        var full = LowerPath(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string MakeLowerDirectory(string relative) => Directory.CreateDirectory(LowerPath(relative)).FullName;

    /// <summary>Reads a file of the merged view through the overlay.</summary>
    public string Read(string path)
    {
        Assert.Equal(Errno.Success, Overlay.OpenFile(path, O_RDONLY, out var handle));
        using (handle)
        using (var stream = new FileStream(handle, FileAccess.Read))
        using (var reader = new StreamReader(stream))
            return reader.ReadToEnd();
    }

    /// <summary>
    /// Replaces the content of a file of the merged view through the overlay (copy-up on the way), charging
    /// the write as the FUSE layer does.
    /// </summary>
    public void Write(string path, string content)
    {
        Assert.Equal(Errno.Success, Overlay.OpenFile(path, O_WRONLY | O_TRUNC, out var handle));
        using (handle)
        {
            Assert.Equal(Errno.Success, Overlay.ReserveWrite(handle, 0, System.Text.Encoding.UTF8.GetByteCount(content)));
            WriteAll(handle, content);
        }
    }

    public static void WriteAll(SafeFileHandle handle, string content, long offset = 0)
    {
        RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(content), offset);
    }

    public bool Exists(string path) => Overlay.GetAttributes(path, out _) == Errno.Success;

    public List<string> List(string path)
    {
        var entries = new List<DirectoryEntry>();
        Assert.Equal(Errno.Success, Overlay.ReadDirectory(path, entries));
        return entries.Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
    }

    public List<DeltaChange> Changes()
    {
        var changes = new List<DeltaChange>();
        Assert.Equal(Errno.Success, Overlay.ListChanges(changes));
        return changes;
    }

    public void Dispose() => _root.Dispose();
}
