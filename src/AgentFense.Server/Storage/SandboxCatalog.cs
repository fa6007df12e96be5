using System.Collections.Concurrent;
using AgentFense.Api.V1;

namespace AgentFense.Server.Storage;

/// <summary>The API shape of every sandbox in memory (loaded from SQLite at start); writes go through the store.</summary>
internal sealed class SandboxCatalog
{
    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Held by a create from its count of the owner's sandboxes to its <see cref="Put"/>, so two creates at once
    /// cannot both take an owner's last free slot. (The gRPC service is made per call; the catalog is the
    /// server's one.)
    /// </summary>
    public Lock CreateLock { get; } = new();

    /// <summary>Stores <paramref name="sandbox"/> with its authenticated owner (<c>""</c> without API keys).</summary>
    public void Put(Sandbox sandbox, string authOwner)
    {
        _owners[sandbox.Id] = authOwner;
        _sandboxes[sandbox.Id] = sandbox.Clone();
    }

    /// <summary>The authenticated owner of sandbox <paramref name="id"/> (<c>""</c> when none or unknown).</summary>
    public string OwnerOf(string id) => _owners.TryGetValue(id, out var owner) ? owner : "";

    /// <summary>How many sandboxes authenticated owner <paramref name="authOwner"/> has.</summary>
    public int CountOf(string authOwner) => _owners.Count(pair => string.Equals(pair.Value, authOwner, StringComparison.Ordinal));

    public Sandbox? TryGet(string id) => _sandboxes.TryGetValue(id, out var sandbox) ? sandbox : null;

    /// <summary>Every sandbox, oldest first.</summary>
    public IReadOnlyList<Sandbox> List() =>
        [.. _sandboxes.Values.OrderBy(s => s.CreatedAt?.ToDateTimeOffset()).ThenBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>Applies <paramref name="change"/> to a copy, stores it in memory and in <paramref name="store"/>.</summary>
    public Sandbox? Update(string id, Action<Sandbox> change, MetadataStore store)
    {
        lock (_lock)
        {
            if (!_sandboxes.TryGetValue(id, out var current))
                return null;
            var updated = current.Clone();
            change(updated);
            store.UpdateSandboxMessage(updated);
            _sandboxes[id] = updated;
            return updated;
        }
    }

    /// <summary>
    /// Forgets a sandbox the engine destroyed: its sessions, its entry here and its row (DestroySandbox, batch
    /// destroys and the expiry loop end the same way).
    /// </summary>
    public void Forget(string id, Services.SessionTable sessions, MetadataStore metadata)
    {
        sessions.CloseAll(id, remove: true);
        Remove(id);
        metadata.RemoveSandbox(id);
    }

    public void Remove(string id)
    {
        _sandboxes.TryRemove(id, out _);
        _owners.TryRemove(id, out _);
    }
}
