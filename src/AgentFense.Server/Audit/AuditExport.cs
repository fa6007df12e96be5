using System.Text.Json;
using AgentFense.Policy;

namespace AgentFense.Server.Audit;

/// <summary>
/// Appends audit events to a file as JSON lines, for SIEM pipelines that tail it. Each batch is written and flushed
/// at once; the file is opened for appending, so a log rotator may move it (the next start opens a fresh one).
/// </summary>
internal sealed class AuditExport(string path) : IDisposable
{
    private readonly FileStream _file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Writes one line per event and flushes.</summary>
    public void Append(IReadOnlyList<AuditEvent> events)
    {
        using var buffer = new MemoryStream();
        foreach (var e in events)
        {
            using (var json = new Utf8JsonWriter(buffer))
                Write(json, e);
            buffer.WriteByte((byte)'\n');
        }
        buffer.Position = 0;
        buffer.CopyTo(_file);
        _file.Flush();
    }

    /// <summary>The line of one event: time, sandbox, kind, then the fields of its kind.</summary>
    internal static void Write(Utf8JsonWriter json, AuditEvent e)
    {
        json.WriteStartObject();
        json.WriteString("time", e.Time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("sandbox", e.SandboxId);
        if (e.Kind == AuditKind.Refusal)
        {
            json.WriteString("kind", "refusal");
            json.WriteString("operation", e.Operation);
            json.WriteString("path", e.Path);
            json.WriteString("level", PolicyNames.Format(e.Level));
            if (e.Rule is { } rule)
            {
                json.WriteStartObject("rule");
                json.WriteString("pattern", rule.Pattern);
                json.WriteString("permission", PolicyNames.Format(rule.Permission));
                json.WriteString("type", PolicyNames.Format(rule.Type));
                json.WriteNumber("priority", rule.Priority);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("rule");
            }
        }
        else
        {
            json.WriteString("kind", "command");
            json.WriteString("session", e.SessionId);
            json.WriteString("command", e.Command);
            json.WriteNumber("exitCode", e.ExitCode);
            json.WriteNumber("durationSeconds", e.Duration.TotalSeconds);
            json.WriteString("outcome", e.Outcome);
        }
        json.WriteEndObject();
    }

    public void Dispose() => _file.Dispose();
}
