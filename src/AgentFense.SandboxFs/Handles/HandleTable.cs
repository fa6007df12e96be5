using System.Collections.Concurrent;

namespace AgentFense.SandboxFs.Handles;

/// <summary>Open files and directories by FUSE handle id. Ids are never reused within a mount.</summary>
internal sealed class HandleTable
{
    private readonly ConcurrentDictionary<ulong, OpenFile> _files = new();
    private readonly ConcurrentDictionary<ulong, OpenDirectory> _directories = new();
    private long _next;

    public int OpenFileCount => _files.Count;

    public ulong Add(OpenFile file)
    {
        var id = (ulong)Interlocked.Increment(ref _next);
        _files[id] = file;
        return id;
    }

    public ulong Add(OpenDirectory directory)
    {
        var id = (ulong)Interlocked.Increment(ref _next);
        _directories[id] = directory;
        return id;
    }

    public OpenFile? Get(ulong id) => _files.GetValueOrDefault(id);

    public OpenDirectory? GetDirectory(ulong id) => _directories.GetValueOrDefault(id);

    public OpenFile? Remove(ulong id) => _files.TryRemove(id, out var file) ? file : null;

    public void RemoveDirectory(ulong id) => _directories.TryRemove(id, out _);
}
