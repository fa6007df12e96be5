using AgentFense.Api.V1;
using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace AgentFense.Server.Storage;

/// <summary>
/// The server's metadata in SQLite (<c>agentfense.db</c> in the data directory): codebases and sandboxes.
/// A sandbox row keeps its API shape as a serialized <see cref="Sandbox"/> message (rules, labels, limits,
/// times) beside the engine state, so nothing of what a client sent is lost across a restart.
/// Every call opens a pooled connection of its own, which makes the store thread-safe.
/// </summary>
internal sealed partial class MetadataStore
{
    internal const int SchemaVersion = 6;
    private readonly string _connectionString;

    public MetadataStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        Migrate();
    }

    private void Migrate()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode = WAL");
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
            throw new InvalidOperationException($"agentfense.db has schema version {current}; this server knows up to {SchemaVersion}");
        if (current < 1)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                CREATE TABLE codebases (
                  id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL,
                  size INTEGER NOT NULL, file_count INTEGER NOT NULL,
                  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                CREATE TABLE sandboxes (
                  id TEXT PRIMARY KEY, codebase_id TEXT NOT NULL, state INTEGER NOT NULL,
                  created_at INTEGER NOT NULL, message BLOB NOT NULL);
                CREATE INDEX sandboxes_codebase ON sandboxes(codebase_id);
                PRAGMA user_version = 1;
                """, transaction);
            transaction.Commit();
        }
        if (current < 2)
        {
            // Version 2: the authenticated owner (the API key's owner) of each codebase and sandbox; rows
            // written before (or without keys) have owner "".
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                ALTER TABLE codebases ADD COLUMN auth_owner TEXT NOT NULL DEFAULT '';
                ALTER TABLE sandboxes ADD COLUMN auth_owner TEXT NOT NULL DEFAULT '';
                PRAGMA user_version = 2;
                """, transaction);
            transaction.Commit();
        }
        if (current < 3)
        {
            // Version 3: shell sessions (their API shape), so that after a restart they are listed as closed
            // rather than gone.
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                CREATE TABLE sessions (id TEXT PRIMARY KEY, sandbox_id TEXT NOT NULL, message BLOB NOT NULL);
                CREATE INDEX sessions_sandbox ON sessions(sandbox_id);
                PRAGMA user_version = 3;
                """, transaction);
            transaction.Commit();
        }
        if (current < 4)
        {
            // Version 4: the ERROR status and the status reason of each sandbox, in columns of their own (the
            // message blob leaves them out), so a failed resume is kept, and queryable, across restarts.
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                ALTER TABLE sandboxes ADD COLUMN in_error INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE sandboxes ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
                PRAGMA user_version = 4;
                """, transaction);
            transaction.Commit();
        }
        if (current < 5)
        {
            // Version 5: codebases registered in place over a host directory (read-only).
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                ALTER TABLE codebases ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE codebases ADD COLUMN host_path TEXT NOT NULL DEFAULT '';
                PRAGMA user_version = 5;
                """, transaction);
            transaction.Commit();
        }
        if (current < 6)
        {
            // Version 6: the audit trail (Audit/AuditSchema.cs).
            using var transaction = connection.BeginTransaction();
            Audit.AuditSchema.Create(connection, transaction);
            Execute(connection, "PRAGMA user_version = 6", transaction);
            transaction.Commit();
        }
    }

    public void AddCodebase(Codebase codebase, string authOwner)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO codebases (id, name, owner_id, size, file_count, created_at, updated_at, auth_owner, read_only, host_path) " +
            "VALUES ($id, $name, $owner, $size, $count, $created, $updated, $auth, $readOnly, $host)", null, ("$auth", authOwner),
            ("$readOnly", codebase.ReadOnly ? 1 : 0), ("$host", codebase.HostPath),
            ("$id", codebase.Id), ("$name", codebase.Name), ("$owner", codebase.OwnerId), ("$size", codebase.Size),
            ("$count", codebase.FileCount), ("$created", Ticks(codebase.CreatedAt)), ("$updated", Ticks(codebase.UpdatedAt)));
    }

    public void UpdateCodebaseTotals(string id, long size, int fileCount, DateTimeOffset updatedAt)
    {
        using var connection = Open();
        Execute(connection, "UPDATE codebases SET size = $size, file_count = $count, updated_at = $updated WHERE id = $id", null,
            ("$id", id), ("$size", size), ("$count", fileCount), ("$updated", updatedAt.UtcTicks));
    }

    /// <summary>Adds <paramref name="sizeDelta"/> and <paramref name="countDelta"/> to the totals of codebase <paramref name="id"/> in one statement.</summary>
    public void AddCodebaseTotals(string id, long sizeDelta, int countDelta, DateTimeOffset updatedAt)
    {
        using var connection = Open();
        Execute(connection, "UPDATE codebases SET size = size + $size, file_count = file_count + $count, updated_at = $updated WHERE id = $id", null,
            ("$id", id), ("$size", sizeDelta), ("$count", countDelta), ("$updated", updatedAt.UtcTicks));
    }

    public Codebase? GetCodebase(string id) => QueryCodebases("WHERE id = $id", ("$id", id)).FirstOrDefault();

    /// <summary>The authenticated owner of codebase <paramref name="id"/> ("" when none), or null when there is no such codebase.</summary>
    public string? GetCodebaseAuthOwner(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT auth_owner FROM codebases WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
    }

    /// <summary>The codebases of authenticated owner <paramref name="authOwner"/>, oldest first.</summary>
    public IReadOnlyList<Codebase> ListCodebasesOfAuthOwner(string authOwner) =>
        QueryCodebases("WHERE auth_owner = $auth", ("$auth", authOwner));

    public IReadOnlyList<Codebase> ListCodebases(string ownerId) =>
        ownerId.Length == 0 ? QueryCodebases("") : QueryCodebases("WHERE owner_id = $owner", ("$owner", ownerId));

    public bool RemoveCodebase(string id)
    {
        using var connection = Open();
        return Execute(connection, "DELETE FROM codebases WHERE id = $id", null, ("$id", id)) > 0;
    }

    public void AddSandbox(Sandbox sandbox, int state, string authOwner)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO sandboxes (id, codebase_id, state, created_at, message, auth_owner, in_error, status_reason) " +
            "VALUES ($id, $codebase, $state, $created, $message, $auth, $error, $reason)", null, ("$auth", authOwner),
            ("$id", sandbox.Id), ("$codebase", sandbox.CodebaseId), ("$state", state), ("$created", Ticks(sandbox.CreatedAt)),
            ("$message", MessageBytes(sandbox)), ("$error", sandbox.Status == SandboxStatus.Error ? 1 : 0), ("$reason", sandbox.StatusReason));
    }

    public void UpdateSandboxMessage(Sandbox sandbox)
    {
        using var connection = Open();
        Execute(connection, "UPDATE sandboxes SET message = $message, in_error = $error, status_reason = $reason WHERE id = $id", null,
            ("$id", sandbox.Id), ("$message", MessageBytes(sandbox)), ("$error", sandbox.Status == SandboxStatus.Error ? 1 : 0),
            ("$reason", sandbox.StatusReason));
    }

    public void UpdateSandboxState(string id, int state)
    {
        using var connection = Open();
        Execute(connection, "UPDATE sandboxes SET state = $state WHERE id = $id", null, ("$id", id), ("$state", state));
    }

    public bool RemoveSandbox(string id)
    {
        using var connection = Open();
        return Execute(connection, "DELETE FROM sandboxes WHERE id = $id", null, ("$id", id)) > 0;
    }

    /// <summary>
    /// Every sandbox row, oldest first: its message, engine state and authenticated owner. The message's status
    /// is ERROR when the row is in error (otherwise unspecified: the engine's state decides) and its
    /// status_reason is the row's.
    /// </summary>
    public IReadOnlyList<(Sandbox Sandbox, int State, string AuthOwner)> ListSandboxes()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message, state, auth_owner, in_error, status_reason FROM sandboxes ORDER BY created_at, id";
        using var reader = command.ExecuteReader();
        var rows = new List<(Sandbox, int, string)>();
        while (reader.Read())
        {
            var sandbox = Sandbox.Parser.ParseFrom((byte[])reader[0]);
            sandbox.Status = reader.GetInt32(3) != 0 ? SandboxStatus.Error : SandboxStatus.Unspecified;
            sandbox.StatusReason = reader.GetString(4);
            rows.Add((sandbox, reader.GetInt32(1), reader.GetString(2)));
        }
        return rows;
    }

    public bool CodebaseHasSandboxes(string codebaseId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sandboxes WHERE codebase_id = $id LIMIT 1";
        command.Parameters.AddWithValue("$id", codebaseId);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The blob of a sandbox row: the message without status and reason, which have columns of their own.</summary>
    private static byte[] MessageBytes(Sandbox sandbox)
    {
        if (sandbox.Status == SandboxStatus.Unspecified && sandbox.StatusReason.Length == 0)
            return sandbox.ToByteArray();
        var stripped = sandbox.Clone();
        stripped.Status = SandboxStatus.Unspecified;
        stripped.StatusReason = "";
        return stripped.ToByteArray();
    }

    private List<Codebase> QueryCodebases(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, name, owner_id, size, file_count, created_at, updated_at, read_only, host_path FROM codebases {where} ORDER BY created_at, id";
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var list = new List<Codebase>();
        while (reader.Read())
        {
            list.Add(new Codebase
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                OwnerId = reader.GetString(2),
                Size = reader.GetInt64(3),
                FileCount = reader.GetInt32(4),
                CreatedAt = FromTicks(reader.GetInt64(5)),
                UpdatedAt = FromTicks(reader.GetInt64(6)),
                ReadOnly = reader.GetInt64(7) != 0,
                HostPath = reader.GetString(8),
            });
        }
        return list;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command.ExecuteNonQuery();
    }

    private static long Ticks(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp is null ? 0 : timestamp.ToDateTimeOffset().UtcTicks;

    private static Google.Protobuf.WellKnownTypes.Timestamp FromTicks(long ticks) =>
        Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(ticks, TimeSpan.Zero));
}
