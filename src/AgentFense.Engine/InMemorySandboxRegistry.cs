using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace AgentFense.Engine;

/// <summary>A registry that lives as long as the process (what <c>agentfense run</c> and tests use).</summary>
public sealed class InMemorySandboxRegistry : ISandboxRegistry
{
    private readonly ConcurrentDictionary<string, SandboxRecord> _records = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public bool TryAdd(SandboxRecord record) => _records.TryAdd(record.Id, record);

    /// <inheritdoc />
    public bool TryGet(string id, [MaybeNullWhen(false)] out SandboxRecord record) => _records.TryGetValue(id, out record);

    /// <inheritdoc />
    public void Update(SandboxRecord record) => _records[record.Id] = record;

    /// <inheritdoc />
    public bool Remove(string id) => _records.TryRemove(id, out _);

    /// <inheritdoc />
    public IReadOnlyList<SandboxRecord> List() => [.. _records.Values];
}
