using AgentFense.Api.V1;
using Google.Protobuf;

namespace AgentFense.Server.Storage;

internal sealed partial class MetadataStore
{
    /// <summary>Writes session <paramref name="session"/> (its API shape), replacing an earlier version.</summary>
    public void PutSession(Session session)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO sessions (id, sandbox_id, message) VALUES ($id, $sandbox, $message) " +
            "ON CONFLICT(id) DO UPDATE SET message = excluded.message", null,
            ("$id", session.Id), ("$sandbox", session.SandboxId), ("$message", session.ToByteArray()));
    }

    public void RemoveSession(string id)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM sessions WHERE id = $id", null, ("$id", id));
    }

    public void RemoveSessionsOf(string sandboxId)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM sessions WHERE sandbox_id = $sandbox", null, ("$sandbox", sandboxId));
    }

    /// <summary>Every stored session.</summary>
    public IReadOnlyList<Session> ListSessions()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM sessions";
        using var reader = command.ExecuteReader();
        var sessions = new List<Session>();
        while (reader.Read())
            sessions.Add(Session.Parser.ParseFrom((byte[])reader[0]));
        return sessions;
    }
}
