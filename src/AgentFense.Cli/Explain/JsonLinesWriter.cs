using System.Text.Json;
using AgentFense.Policy;

namespace AgentFense.Cli.Explain;

/// <summary>
/// One JSON object per line: <c>{"path", "type", "permission", "source", "rule"}</c>; <c>rule</c> is null
/// when no rule matched. The root itself is not printed.
/// </summary>
internal static class JsonLinesWriter
{
    public static void Write(IEnumerable<ExplainEntry> entries, PolicyMatcher matcher, TextWriter output)
    {
        using var buffer = new MemoryStream();
        foreach (var entry in entries)
        {
            if (entry.Depth == 0)
                continue;
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("path", entry.Path);
                json.WriteString("type", entry.Kind.ToString().ToLowerInvariant());
                json.WriteString("permission", PolicyNames.Format(entry.Decision.Permission));
                json.WriteString("source", entry.Decision.Source.ToString().ToLowerInvariant());
                if (matcher.RuleAt(entry.Decision.RuleIndex) is { } rule)
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
                json.WriteEndObject();
            }
            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }
}
