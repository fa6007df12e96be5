using System.Collections.Concurrent;

namespace AgentFense.SandboxFs.Nodes;

/// <summary>
/// The absences (parent, name) the kernel was told to cache, so they can be invalidated when the tree
/// changes from outside the mount. Bounded: past the bound an absence is answered uncached instead.
/// </summary>
internal sealed class NegativeEntries
{
    private const int Bound = 65_536;
    private readonly ConcurrentDictionary<(ulong Parent, string Name), byte> _entries = new();

    /// <summary>Remembers an absence; false when full (then it must not be cached by the kernel).</summary>
    public bool TryAdd(ulong parent, string name)
    {
        if (_entries.Count >= Bound)
            return _entries.ContainsKey((parent, name));
        _entries.TryAdd((parent, name), 0);
        return true;
    }

    public void Remove(ulong parent, string name) => _entries.TryRemove((parent, name), out _);

    /// <summary>Every remembered absence, forgetting them.</summary>
    public IEnumerable<(ulong Parent, string Name)> Drain()
    {
        foreach (var key in _entries.Keys)
        {
            if (_entries.TryRemove(key, out _))
                yield return key;
        }
    }
}
