using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using AgentFense.Engine;

namespace AgentFense.Server.Storage;

/// <summary>
/// The engine's registry, kept in memory and written through to the <see cref="MetadataStore"/>: state
/// changes and removals reach SQLite at once. The row itself is added by the sandbox service right after
/// the engine created the record (the engine picks the id), and on a restart the records are rebuilt from
/// the rows before the engine starts.
/// </summary>
internal sealed class PersistentSandboxRegistry(MetadataStore store) : ISandboxRegistry
{
    private readonly ConcurrentDictionary<string, SandboxRecord> _records = new(StringComparer.Ordinal);
    private volatile bool _frozen;

    /// <summary>
    /// Stops writing state changes through: set at shutdown, so the stops of the engine's disposal leave the
    /// rows saying Running and the next start resumes those sandboxes (as it does after a crash).
    /// </summary>
    public void FreezeStates() => _frozen = true;

    /// <summary>Puts a record rebuilt from its row (no write-through).</summary>
    public void Load(SandboxRecord record) => _records[record.Id] = record;

    public bool TryAdd(SandboxRecord record) => _records.TryAdd(record.Id, record);

    public bool TryGet(string id, [MaybeNullWhen(false)] out SandboxRecord record) => _records.TryGetValue(id, out record);

    public void Update(SandboxRecord record)
    {
        _records[record.Id] = record;
        if (!_frozen)
            store.UpdateSandboxState(record.Id, (int)record.State);
    }

    public bool Remove(string id)
    {
        store.RemoveSandbox(id);
        return _records.TryRemove(id, out _);
    }

    public IReadOnlyList<SandboxRecord> List() => [.. _records.Values];
}
