using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Runtime.Init;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Services;

/// <summary>
/// Live shell sessions (<c>sess_…</c>) and their API shape. In memory only: a session is a process in a
/// box, so a stop ends it (CLOSED) and neither survives a server restart.
/// </summary>
internal sealed class SessionTable
{
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    public sealed class Entry(Session session, InitSession shell)
    {
        public Session Session { get; } = session;

        public InitSession Shell { get; } = shell;

        /// <summary>One command at a time per shell; the lock keeps status changes and commands apart.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    public Session Add(string sandboxId, string shellName, InitSession shell)
    {
        while (true)
        {
            var session = new Session
            {
                Id = "sess_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                SandboxId = sandboxId,
                Status = SessionStatus.Active,
                Shell = shellName,
                CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            };
            if (_sessions.TryAdd(session.Id, new Entry(session, shell)))
                return session.Clone();
        }
    }

    public Entry? TryGet(string id) => _sessions.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>The id of the session of <paramref name="sandboxId"/> whose shell is init session <paramref name="initSessionId"/>, or null.</summary>
    public string? IdOf(string sandboxId, uint initSessionId) =>
        _sessions.Values.FirstOrDefault(e => e.Shell.Id == initSessionId && e.Session.SandboxId == sandboxId)?.Session.Id;

    public IReadOnlyList<Session> ListOf(string sandboxId) =>
        [.. _sessions.Values.Where(e => e.Session.SandboxId == sandboxId).Select(e => Snapshot(e))
            .OrderBy(s => s.CreatedAt.ToDateTimeOffset()).ThenBy(s => s.Id, StringComparer.Ordinal)];

    public static Session Snapshot(Entry entry)
    {
        lock (entry.Session)
            return entry.Session.Clone();
    }

    /// <summary>Closes the shell of session <paramref name="id"/> and forgets it; false when there was none.</summary>
    public async Task<bool> DestroyAsync(string id)
    {
        if (!_sessions.TryRemove(id, out var entry))
            return false;
        MarkClosed(entry);
        await entry.Shell.DisposeAsync();
        return true;
    }

    /// <summary>Marks the sessions of a stopped sandbox closed (their shells died with the box); on destroy forgets them.</summary>
    public void CloseAll(string sandboxId, bool remove)
    {
        foreach (var (id, entry) in _sessions)
        {
            if (entry.Session.SandboxId != sandboxId)
                continue;
            MarkClosed(entry);
            if (remove)
                _sessions.TryRemove(id, out _);
        }
    }

    private static void MarkClosed(Entry entry)
    {
        lock (entry.Session)
        {
            if (entry.Session.Status == SessionStatus.Closed)
                return;
            entry.Session.Status = SessionStatus.Closed;
            entry.Session.ClosedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        }
    }
}
