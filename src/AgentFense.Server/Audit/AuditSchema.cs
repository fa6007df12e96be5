using Microsoft.Data.Sqlite;

namespace AgentFense.Server.Audit;

/// <summary>
/// The audit tables (schema version 6 of <c>agentfense.db</c>): <c>audit_events</c>, one row per refusal or command,
/// ordered by <c>seq</c>; <c>audit_sandboxes</c>, the owner of each audited sandbox and when it was destroyed (the
/// trail outlives the sandbox's own row for the retention).
/// </summary>
internal static class AuditSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS audit_events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, sandbox_id TEXT NOT NULL, time INTEGER NOT NULL, kind INTEGER NOT NULL,
          operation TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '', level INTEGER NOT NULL DEFAULT 0,
          rule_pattern TEXT, rule_type INTEGER, rule_permission INTEGER, rule_priority INTEGER,
          session_id TEXT NOT NULL DEFAULT '', command TEXT NOT NULL DEFAULT '', exit_code INTEGER NOT NULL DEFAULT 0,
          duration_us INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT '');
        CREATE INDEX IF NOT EXISTS audit_events_sandbox ON audit_events(sandbox_id, seq);
        CREATE INDEX IF NOT EXISTS audit_events_sandbox_time ON audit_events(sandbox_id, time);
        CREATE TABLE IF NOT EXISTS audit_sandboxes (
          sandbox_id TEXT PRIMARY KEY, auth_owner TEXT NOT NULL DEFAULT '', destroyed_at INTEGER);
        """;

    /// <summary>Creates the tables inside the migration's transaction.</summary>
    public static void Create(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }
}
