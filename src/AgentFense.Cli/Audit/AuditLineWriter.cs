using System.Globalization;
using AgentFense.Api.V1;
using Google.Protobuf;

namespace AgentFense.Cli.Audit;

/// <summary>Prints audit entries: one readable line each, or one JSON object each (the proto3 JSON mapping).</summary>
internal sealed class AuditLineWriter(TextWriter output, bool json)
{
    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public void Write(SandboxAuditEntry entry)
    {
        output.WriteLine(json ? s_json.Format(entry) : Text(entry));
    }

    /// <summary>
    /// <c>TIME  refused  OPERATION  PATH  (LEVEL; RULE)</c> or <c>TIME  command  OUTCOME  exit N  DURATION  COMMAND  [session ID]</c>.
    /// </summary>
    internal static string Text(SandboxAuditEntry entry)
    {
        var time = entry.Time?.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-";
        if (entry.Kind == SandboxAuditEntryKind.Command)
        {
            var duration = entry.Duration?.ToTimeSpan() ?? TimeSpan.Zero;
            var session = entry.SessionId.Length > 0 ? $"  [session {entry.SessionId}]" : "";
            return $"{time}  command  {entry.Outcome,-12}  exit {entry.ExitCode,-3}  {Format(duration),8}  {entry.Command}{session}";
        }
        var rule = entry.Rule is { } r ? $"{r.Pattern} → {Level(r.Permission)} @{r.Priority}" + (r.Type is PatternType.File or PatternType.Directory ? $" ({r.Type.ToString().ToLowerInvariant()})" : "") : "no rule";
        return $"{time}  refused  {entry.Operation,-12}  {entry.Path}  ({Level(entry.Level)}; {rule})";
    }

    private static string Level(Permission permission) => permission switch
    {
        Permission.None => "none",
        Permission.View => "view",
        Permission.Read => "read",
        Permission.Write => "write",
        _ => "?",
    };

    private static string Format(TimeSpan duration) =>
        duration.TotalSeconds >= 1 ? duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s"
            : duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + "ms";
}
