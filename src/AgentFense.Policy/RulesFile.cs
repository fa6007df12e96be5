using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentFense.Policy;

/// <summary>
/// Reads rules files: YAML or JSON, a list of <c>{pattern, permission, type?, priority?}</c>.
/// JSON is chosen by a <c>.json</c> extension or a leading <c>[</c>; everything else is read as YAML.
/// Every error names the file, the rule's position (and line for YAML) and what is wrong.
/// </summary>
public static class RulesFile
{
    private static readonly string[] s_keys = ["pattern", "permission", "type", "priority"];

    /// <summary>Loads and validates the rules in <paramref name="path"/>.</summary>
    public static IReadOnlyList<PermissionRule> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"{path}: cannot read the rules file: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses rules from <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<PermissionRule> Parse(string text, string source)
    {
        var json = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('[');
        var raw = json ? ReadJson(text, source) : ReadYaml(text, source);
        var rules = raw.Select((r, i) => Build(r, i, source)).ToList();
        try
        {
            PolicyMatcher.Compile(rules);
        }
        catch (PolicyException e)
        {
            throw new PolicyException($"{source}: {e.Message}", e);
        }
        return rules;
    }

    private sealed record RawRule(Dictionary<string, string?> Fields, string Where);

    private static PermissionRule Build(RawRule raw, int index, string source)
    {
        string Fail(string what) => throw new PolicyException($"{source}: rule {index + 1}{raw.Where}: {what}");
        foreach (var key in raw.Fields.Keys.Where(k => !s_keys.Contains(k)))
            Fail($"unknown key \"{key}\"; a rule has pattern, permission, type and priority");
        if (!raw.Fields.TryGetValue("pattern", out var pattern) || string.IsNullOrEmpty(pattern))
            Fail("the pattern is missing or empty");
        if (!raw.Fields.TryGetValue("permission", out var level) || level is null)
            Fail("the permission is missing; use none, view, read or write");
        if (!PolicyNames.TryParsePermission(level, out var permission))
            Fail($"unknown permission \"{level}\"; use none, view, read or write");
        var type = PatternType.Glob;
        if (raw.Fields.TryGetValue("type", out var typeText) && typeText is not null &&
            !PolicyNames.TryParsePatternType(typeText, out type))
            Fail($"unknown type \"{typeText}\"; use glob, directory or file");
        var priority = 0;
        if (raw.Fields.TryGetValue("priority", out var priorityText) && priorityText is not null &&
            !int.TryParse(priorityText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
            Fail($"the priority \"{priorityText}\" is not an integer");
        return new PermissionRule(pattern!, permission, type, priority);
    }

    private static List<RawRule> ReadJson(string text, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PolicyException($"{source}: not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new PolicyException($"{source}: expected a JSON array of rules");
            var result = new List<RawRule>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    throw new PolicyException($"{source}: rule {result.Count + 1}: expected an object with pattern and permission");
                var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var p in item.EnumerateObject())
                {
                    fields[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => p.Value.GetRawText(),
                    };
                }
                result.Add(new RawRule(fields, ""));
            }
            return result;
        }
    }

    private static List<RawRule> ReadYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PolicyException($"{source}: not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }
        if (stream.Documents.Count == 0)
            return [];
        if (stream.Documents[0].RootNode is not YamlSequenceNode list)
            throw new PolicyException($"{source}: expected a YAML list of rules (\"- pattern: ...\")");
        var result = new List<RawRule>();
        foreach (var node in list)
        {
            var where = $" (line {node.Start.Line})";
            if (node is not YamlMappingNode map)
                throw new PolicyException($"{source}: rule {result.Count + 1}{where}: expected a mapping with pattern and permission");
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                fields[name] = value is YamlScalarNode scalar
                    ? scalar.Value is "~" or "null" && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? null : scalar.Value
                    : throw new PolicyException($"{source}: rule {result.Count + 1}{where}: \"{name}\" must be a single value");
            }
            result.Add(new RawRule(fields, where));
        }
        return result;
    }
}
