using AgentFense.Policy;
using Microsoft.Data.Sqlite;

namespace AgentFense.Server.Audit;

/// <summary>
/// The audit trail in SQLite (the tables of <see cref="AuditSchema"/>, created by the metadata store's migration).
/// Writes come in batches from <see cref="AuditRecorder"/>, one transaction each; every call opens a pooled
/// connection of its own, so the store is thread-safe.
/// </summary>
internal sealed class AuditStore(string databasePath)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();

    /// <summary>
    /// Inserts <paramref name="events"/> and trims each sandbox they touch to its newest <paramref name="maxPerSandbox"/>
    /// entries, in one transaction.
    /// </summary>
    public void Append(IReadOnlyList<AuditEvent> events, int maxPerSandbox)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO audit_events (sandbox_id, time, kind, operation, path, level, rule_pattern, rule_type, rule_permission,
                  rule_priority, session_id, command, exit_code, duration_us, outcome)
                VALUES ($sandbox, $time, $kind, $operation, $path, $level, $pattern, $type, $permission, $priority, $session,
                  $command, $exit, $duration, $outcome)
                """;
            var p = new Dictionary<string, SqliteParameter>();
            foreach (var name in new[] { "$sandbox", "$time", "$kind", "$operation", "$path", "$level", "$pattern", "$type", "$permission",
                "$priority", "$session", "$command", "$exit", "$duration", "$outcome" })
                p[name] = insert.Parameters.Add(name, SqliteType.Text);
            foreach (var e in events)
            {
                p["$sandbox"].Value = e.SandboxId;
                p["$time"].Value = Micros(e.Time);
                p["$kind"].Value = (int)e.Kind;
                p["$operation"].Value = e.Operation;
                p["$path"].Value = e.Path;
                p["$level"].Value = (int)e.Level;
                p["$pattern"].Value = (object?)e.Rule?.Pattern ?? DBNull.Value;
                p["$type"].Value = e.Rule is { } r1 ? (int)r1.Type : DBNull.Value;
                p["$permission"].Value = e.Rule is { } r2 ? (int)r2.Permission : DBNull.Value;
                p["$priority"].Value = e.Rule is { } r3 ? r3.Priority : DBNull.Value;
                p["$session"].Value = e.SessionId;
                p["$command"].Value = e.Command;
                p["$exit"].Value = e.ExitCode;
                p["$duration"].Value = (long)e.Duration.TotalMicroseconds;
                p["$outcome"].Value = e.Outcome;
                insert.ExecuteNonQuery();
            }
        }
        foreach (var sandbox in events.Select(e => e.SandboxId).Distinct(StringComparer.Ordinal))
        {
            Execute(connection, transaction, """
                DELETE FROM audit_events WHERE sandbox_id = $sandbox AND seq <= (
                  SELECT seq FROM audit_events WHERE sandbox_id = $sandbox ORDER BY seq DESC LIMIT 1 OFFSET $max)
                """, ("$sandbox", sandbox), ("$max", maxPerSandbox));
        }
        transaction.Commit();
    }

    /// <summary>Remembers the owner of an audited sandbox (kept when the sandbox's own row goes).</summary>
    public void SetOwner(string sandboxId, string owner)
    {
        using var connection = Open();
        Execute(connection, null, "INSERT INTO audit_sandboxes (sandbox_id, auth_owner) VALUES ($id, $owner) " +
            "ON CONFLICT(sandbox_id) DO UPDATE SET auth_owner = $owner", ("$id", sandboxId), ("$owner", owner));
    }

    /// <summary>Marks the sandbox destroyed now: its trail is kept for the retention, then purged.</summary>
    public void MarkDestroyed(string sandboxId, string owner, DateTimeOffset when)
    {
        using var connection = Open();
        Execute(connection, null, "INSERT INTO audit_sandboxes (sandbox_id, auth_owner, destroyed_at) VALUES ($id, $owner, $when) " +
            "ON CONFLICT(sandbox_id) DO UPDATE SET destroyed_at = $when", ("$id", sandboxId), ("$owner", owner), ("$when", Micros(when)));
    }

    /// <summary>The owner of a destroyed sandbox whose trail is still kept, or null.</summary>
    public string? DestroyedOwner(string sandboxId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT auth_owner FROM audit_sandboxes WHERE sandbox_id = $id AND destroyed_at IS NOT NULL";
        command.Parameters.AddWithValue("$id", sandboxId);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Removes the trails of sandboxes destroyed before <paramref name="cutoff"/>; returns how many events went.</summary>
    public int PurgeDestroyedBefore(DateTimeOffset cutoff)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var removed = Execute(connection, transaction, "DELETE FROM audit_events WHERE sandbox_id IN " +
            "(SELECT sandbox_id FROM audit_sandboxes WHERE destroyed_at IS NOT NULL AND destroyed_at < $cutoff)", ("$cutoff", Micros(cutoff)));
        Execute(connection, transaction, "DELETE FROM audit_sandboxes WHERE destroyed_at IS NOT NULL AND destroyed_at < $cutoff", ("$cutoff", Micros(cutoff)));
        transaction.Commit();
        return removed;
    }

    /// <summary>
    /// Events of <paramref name="sandboxId"/> after sequence <paramref name="after"/> matching the filters, oldest
    /// first, at most <paramref name="count"/>; with <paramref name="newest"/> the newest <paramref name="count"/> of them.
    /// </summary>
    public List<AuditEvent> Query(string sandboxId, long after, DateTimeOffset? since, DateTimeOffset? until, AuditKind? kind, int count, bool newest = false)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        var where = "sandbox_id = $sandbox AND seq > $after";
        command.Parameters.AddWithValue("$sandbox", sandboxId);
        command.Parameters.AddWithValue("$after", after);
        if (since is { } s)
        {
            where += " AND time >= $since";
            command.Parameters.AddWithValue("$since", Micros(s));
        }
        if (until is { } u)
        {
            where += " AND time < $until";
            command.Parameters.AddWithValue("$until", Micros(u));
        }
        if (kind is { } k)
        {
            where += " AND kind = $kind";
            command.Parameters.AddWithValue("$kind", (int)k);
        }
        command.CommandText = $"SELECT seq, time, kind, operation, path, level, rule_pattern, rule_type, rule_permission, rule_priority, " +
            $"session_id, command, exit_code, duration_us, outcome FROM audit_events WHERE {where} ORDER BY seq {(newest ? "DESC" : "ASC")} LIMIT $count";
        command.Parameters.AddWithValue("$count", count);
        var result = new List<AuditEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            result.Add(Read(reader, sandboxId));
        if (newest)
            result.Reverse();
        return result;
    }

    /// <summary>How many events are kept for <paramref name="sandboxId"/>.</summary>
    public long Count(string sandboxId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_events WHERE sandbox_id = $sandbox";
        command.Parameters.AddWithValue("$sandbox", sandboxId);
        return (long)command.ExecuteScalar()!;
    }

    private static AuditEvent Read(SqliteDataReader reader, string sandboxId) =>
        new(sandboxId, DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(1) * 10), (AuditKind)reader.GetInt32(2))
        {
            Sequence = reader.GetInt64(0),
            Operation = reader.GetString(3),
            Path = reader.GetString(4),
            Level = (Permission)reader.GetInt32(5),
            Rule = reader.IsDBNull(6) ? null : new PermissionRule(reader.GetString(6), (Permission)reader.GetInt32(8), (PatternType)reader.GetInt32(7), reader.GetInt32(9)),
            SessionId = reader.GetString(10),
            Command = reader.GetString(11),
            ExitCode = reader.GetInt32(12),
            Duration = TimeSpan.FromMicroseconds(reader.GetInt64(13)),
            Outcome = reader.GetString(14),
        };

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command.ExecuteNonQuery();
    }
}
