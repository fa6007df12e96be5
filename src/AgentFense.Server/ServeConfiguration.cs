using System.Text.Json;

namespace AgentFense.Server;

/// <summary>
/// What <c>agentfense serve --config FILE</c> reads (JSON: <c>grpc</c>, <c>http</c>, <c>data</c>,
/// <c>apiKeys: [{"key": …, "owner": …}]</c>) and the <c>AGENTFENSE_API_KEYS</c> variable
/// (<c>owner1:key1,owner2:key2</c>). Problems are reported as <see cref="FormatException"/> messages that name
/// what is wrong and never the key itself.
/// </summary>
public sealed record class ServeConfiguration
{
    /// <summary>The environment variable of API keys.</summary>
    public const string ApiKeysVariable = "AGENTFENSE_API_KEYS";

    /// <summary>The gRPC address (<c>grpc</c>), or null.</summary>
    public string? Grpc { get; init; }

    /// <summary>The REST address (<c>http</c>), or null.</summary>
    public string? Http { get; init; }

    /// <summary>The data directory (<c>data</c>), or null.</summary>
    public string? Data { get; init; }

    /// <summary>Key → owner id.</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

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

    /// <summary>Parses configuration JSON.</summary>
    /// <exception cref="FormatException">Not JSON, unknown keys or bad values.</exception>
    public static ServeConfiguration Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new FormatException("the configuration is not a JSON object");
            string? grpc = null, http = null, data = null;
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "grpc": grpc = String(property); break;
                    case "http": http = String(property); break;
                    case "data": data = String(property); break;
                    case "apiKeys":
                        if (property.Value.ValueKind != JsonValueKind.Array)
                            throw new FormatException("apiKeys is not an array of {\"key\", \"owner\"} objects");
                        var index = 0;
                        foreach (var entry in property.Value.EnumerateArray())
                        {
                            if (entry.ValueKind != JsonValueKind.Object
                                || !entry.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                                || !entry.TryGetProperty("owner", out var owner) || owner.ValueKind != JsonValueKind.String)
                                throw new FormatException($"apiKeys[{index}] is not an object with string \"key\" and \"owner\"");
                            Add(keys, key.GetString()!, owner.GetString()!, $"apiKeys[{index}]");
                            index++;
                        }
                        break;
                    default:
                        throw new FormatException($"unknown key '{property.Name}' (known: grpc, http, data, apiKeys)");
                }
            }
            return new ServeConfiguration { Grpc = grpc, Http = http, Data = data, ApiKeys = keys };
        }
    }

    /// <summary>Parses <c>owner1:key1,owner2:key2</c> (empty entries are skipped).</summary>
    /// <exception cref="FormatException">An entry without an owner or a key, or a key given twice.</exception>
    public static IReadOnlyDictionary<string, string> ParseApiKeys(string value)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries))
        {
            index++;
            if (entry.Length == 0)
                continue;
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                throw new FormatException($"{ApiKeysVariable}: entry {index} is not OWNER:KEY");
            Add(keys, entry[(colon + 1)..], entry[..colon], $"{ApiKeysVariable}: entry {index}");
        }
        return keys;
    }

    /// <summary>The keys of <paramref name="first"/> and <paramref name="second"/>; a key in both must name the same owner.</summary>
    public static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        var keys = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var (key, owner) in second)
        {
            if (keys.TryGetValue(key, out var existing) && existing != owner)
                throw new FormatException($"an API key of owner '{owner}' is also configured for owner '{existing}'");
            keys[key] = owner;
        }
        return keys;
    }

    private static void Add(Dictionary<string, string> keys, string key, string owner, string where)
    {
        if (owner.Length == 0)
            throw new FormatException($"{where}: the owner is empty");
        if (key.Length == 0)
            throw new FormatException($"{where}: the key of owner '{owner}' is empty");
        if (key.Any(char.IsWhiteSpace))
            throw new FormatException($"{where}: the key of owner '{owner}' contains whitespace");
        if (!keys.TryAdd(key, owner))
            throw new FormatException($"{where}: the key of owner '{owner}' is given twice");
    }

    private static string String(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw new FormatException($"{property.Name} is not a string");
}
