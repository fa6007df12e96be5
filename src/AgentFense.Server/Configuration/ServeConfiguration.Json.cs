using System.Globalization;
using System.Text.Json;

namespace AgentFense.Server.Configuration;

public sealed partial class ServeConfiguration
{
    /// <summary>Reads the JSON configuration file at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The file cannot be read, is not JSON, has unknown keys or bad values.</exception>
    public static ServeConfiguration Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"config file {path}: {e.Message}");
        }
        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"config file {path}: {e.Message}");
        }
    }

    /// <summary>
    /// Parses configuration JSON: the <see cref="ServeSetting.Key"/>s (dots are nested objects) and
    /// <c>apiKeys: [{"key": …, "owner": …}]</c>. Sizes and durations may be numbers (bytes, seconds) or text.
    /// </summary>
    /// <exception cref="FormatException">Not JSON, unknown keys or bad values.</exception>
    public static ServeConfiguration Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new FormatException("the configuration is not a JSON object");
            var configuration = new ServeConfiguration();
            ReadObject(configuration, document.RootElement, prefix: "");
            return configuration;
        }
    }

    private static void ReadObject(ServeConfiguration configuration, JsonElement element, string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix + property.Name;
            if (key == "apiKeys")
            {
                configuration.ApiKeys = ReadApiKeys(property.Value);
                continue;
            }
            if (ServeSetting.All.FirstOrDefault(s => s.Key == key) is { } setting)
            {
                setting.Assign(configuration, ReadValue(setting, property.Value));
                continue;
            }
            var group = key + ".";
            if (ServeSetting.All.Any(s => s.Key.StartsWith(group, StringComparison.Ordinal)))
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                    throw new FormatException($"{key} is not an object (keys: {string.Join(", ", KeysUnder(group))})");
                ReadObject(configuration, property.Value, group);
                continue;
            }
            var known = prefix.Length == 0
                ? ServeSetting.All.Select(s => s.Key.Split('.')[0]).Append("apiKeys").Distinct()
                : KeysUnder(prefix);
            throw new FormatException($"unknown key '{key}' (known: {string.Join(", ", known)})");
        }
    }

    private static IEnumerable<string> KeysUnder(string group) =>
        ServeSetting.All.Where(s => s.Key.StartsWith(group, StringComparison.Ordinal)).Select(s => s.Key[group.Length..]);

    private static object ReadValue(ServeSetting setting, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String when setting.Kind != SettingKind.List:
                return setting.ParseText(value.GetString()!, setting.Key);
            case JsonValueKind.True or JsonValueKind.False when setting.Kind == SettingKind.Bool:
                return value.GetBoolean();
            case JsonValueKind.Number when setting.Kind is SettingKind.Integer or SettingKind.Size:
                return value.TryGetInt64(out var whole) && whole >= 0 ? whole
                    : throw new FormatException($"{setting.Key} {value.GetRawText()} is not a non-negative whole number");
            case JsonValueKind.Number when setting.Kind is SettingKind.Number or SettingKind.Duration:
                var number = value.GetDouble();
                if (number < 0)
                    throw new FormatException($"{setting.Key} {value.GetRawText()} is negative");
                return setting.Kind == SettingKind.Number ? number : setting.ParseText(number.ToString(CultureInfo.InvariantCulture), setting.Key);
            case JsonValueKind.Array when setting.Kind == SettingKind.List:
                return value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } s ? s
                    : throw new FormatException($"{setting.Key}[{i}] is not a non-empty string")).ToArray();
            default:
                throw new FormatException($"{setting.Key} is not {Describe(setting.Kind)}");
        }
    }

    private static string Describe(SettingKind kind) => kind switch
    {
        SettingKind.Text => "a string",
        SettingKind.Bool => "true or false",
        SettingKind.Integer => "a whole number",
        SettingKind.Number => "a number",
        SettingKind.Size => "a size (bytes, or text like \"512M\")",
        SettingKind.Duration => "a duration (seconds, or text like \"10m\")",
        _ => "an array of strings",
    };

    private static IReadOnlyDictionary<string, string> ReadApiKeys(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new FormatException("apiKeys is not an array of {\"key\", \"owner\"} objects");
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in value.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                || !entry.TryGetProperty("owner", out var owner) || owner.ValueKind != JsonValueKind.String)
                throw new FormatException($"apiKeys[{index}] is not an object with string \"key\" and \"owner\"");
            AddKey(keys, key.GetString()!, owner.GetString()!, $"apiKeys[{index}]");
            index++;
        }
        return keys;
    }
}
