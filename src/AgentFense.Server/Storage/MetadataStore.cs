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
internal sealed class MetadataStore
{
    internal const int SchemaVersion = 5;
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
        if (current < 5)
        {
            // Version 5: the audit trail (Audit/AuditSchema.cs).
            using var transaction = connection.BeginTransaction();
            Audit.AuditSchema.Create(connection, transaction);
            Execute(connection, "PRAGMA user_version = 5", transaction);
            transaction.Commit();
        }
    }

    public void AddCodebase(Codebase codebase, string authOwner)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO codebases (id, name, owner_id, size, file_count, created_at, updated_at, auth_owner) " +
            "VALUES ($id, $name, $owner, $size, $count, $created, $updated, $auth)", null, ("$auth", authOwner),
            ("$id", codebase.Id), ("$name", codebase.Name), ("$owner", codebase.OwnerId), ("$size", codebase.Size),
            ("$count", codebase.FileCount), ("$created", Ticks(codebase.CreatedAt)), ("$updated", Ticks(codebase.UpdatedAt)));
    }

    public void UpdateCodebaseTotals(string id, long size, int fileCount, DateTimeOffset updatedAt)
    {
        using var connection = Open();
        Execute(connection, "UPDATE codebases SET size = $size, file_count = $count, updated_at = $updated WHERE id = $id", null,
            ("$id", id), ("$size", size), ("$count", fileCount), ("$updated", updatedAt.UtcTicks));
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
        Execute(connection, "INSERT INTO sandboxes (id, codebase_id, state, created_at, message, auth_owner) " +
            "VALUES ($id, $codebase, $state, $created, $message, $auth)", null, ("$auth", authOwner),
            ("$id", sandbox.Id), ("$codebase", sandbox.CodebaseId), ("$state", state),
            ("$created", Ticks(sandbox.CreatedAt)), ("$message", sandbox.ToByteArray()));
    }

    public void UpdateSandboxMessage(Sandbox sandbox)
    {
        using var connection = Open();
        Execute(connection, "UPDATE sandboxes SET message = $message WHERE id = $id", null,
            ("$id", sandbox.Id), ("$message", sandbox.ToByteArray()));
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

    /// <summary>Every sandbox row, oldest first: its message, engine state and authenticated owner.</summary>
    public IReadOnlyList<(Sandbox Sandbox, int State, string AuthOwner)> ListSandboxes()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message, state, auth_owner FROM sandboxes ORDER BY created_at, id";
        using var reader = command.ExecuteReader();
        var rows = new List<(Sandbox, int, string)>();
        while (reader.Read())
            rows.Add((Sandbox.Parser.ParseFrom((byte[])reader[0]), reader.GetInt32(1), reader.GetString(2)));
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

    private List<Codebase> QueryCodebases(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, name, owner_id, size, file_count, created_at, updated_at FROM codebases {where} ORDER BY created_at, id";
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
