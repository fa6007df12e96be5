using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentFense.Api.V1;
using AgentFense.Runtime.Init;
using AgentFense.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Services;

/// <summary>
/// Shell sessions (<c>sess_…</c>): the live shell of each active one, and the API shape of all, kept in SQLite
/// too. A session is a process in a box, so a stop ends it (CLOSED); after a server restart the sessions of
/// before are listed CLOSED (their shells died with the old boxes) until their sandbox is destroyed.
/// </summary>
internal sealed class SessionTable
{
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly MetadataStore _metadata;

    public SessionTable(MetadataStore metadata)
    {
        _metadata = metadata;
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        foreach (var session in metadata.ListSessions())
        {
            if (session.Status != SessionStatus.Closed)
            {
                session.Status = SessionStatus.Closed;
                session.ClosedAt = now;
                metadata.PutSession(session);
            }
            _sessions[session.Id] = new Entry(session, shell: null);
        }
    }

    public sealed class Entry(Session session, InitSession? shell)
    {
        public Session Session { get; } = session;

        /// <summary>The live shell; null for a session of a previous server run (always CLOSED).</summary>
        public InitSession? Shell { get; } = shell;

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
            {
                _metadata.PutSession(session);
                return session.Clone();
            }
        }
    }

    public Entry? TryGet(string id) => _sessions.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>The id of the session of <paramref name="sandboxId"/> whose shell is init session <paramref name="initSessionId"/>, or null.</summary>
    public string? IdOf(string sandboxId, uint initSessionId) =>
        _sessions.Values.FirstOrDefault(e => e.Shell?.Id == initSessionId && e.Session.SandboxId == sandboxId)?.Session.Id;

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
        _metadata.RemoveSession(id);
        if (entry.Shell is not null)
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
            if (remove)
                _sessions.TryRemove(id, out _);
            else
                MarkClosed(entry);
        }
        if (remove)
            _metadata.RemoveSessionsOf(sandboxId);
    }

    /// <summary>Marks a session closed (its shell ended or was ended) and writes that down.</summary>
    public void MarkClosed(Entry entry)
    {
        Session closed;
        lock (entry.Session)
        {
            if (entry.Session.Status == SessionStatus.Closed)
                return;
            entry.Session.Status = SessionStatus.Closed;
            entry.Session.ClosedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            closed = entry.Session.Clone();
        }
        _metadata.PutSession(closed);
    }
}
