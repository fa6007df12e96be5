using System.Diagnostics.CodeAnalysis;

namespace AgentFense.Engine;

/// <summary>
/// Where the manager keeps its sandbox records. In memory by default; a persistent store (SQLite) can
/// take its place. Implementations are thread-safe.
/// </summary>
public interface ISandboxRegistry
{
    /// <summary>Adds a new record; false when the id is taken.</summary>
    bool TryAdd(SandboxRecord record);

    /// <summary>The record of <paramref name="id"/>, or false.</summary>
    bool TryGet(string id, [MaybeNullWhen(false)] out SandboxRecord record);

    /// <summary>Replaces the record with the same id.</summary>
    void Update(SandboxRecord record);

    /// <summary>Removes the record; false when there was none.</summary>
    bool Remove(string id);

    /// <summary>Every record, in no particular order.</summary>
    IReadOnlyList<SandboxRecord> List();
}
