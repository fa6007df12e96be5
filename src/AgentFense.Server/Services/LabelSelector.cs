namespace AgentFense.Server.Services;

/// <summary>
/// A label selector of ListSandboxes: <c>key=value</c> and <c>key</c> (has the label, any value) terms joined
/// by commas, every term required. Spaces around terms, keys and values are ignored; an empty term, an empty
/// key, or a value holding <c>=</c> make the selector malformed.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<(string Key, string? Value)> _terms;

    private LabelSelector(List<(string Key, string? Value)> terms) => _terms = terms;

    /// <summary>The selector that matches every sandbox.</summary>
    public static LabelSelector All { get; } = new([]);

    /// <summary>Parses <paramref name="text"/>; an empty text is <see cref="All"/>.</summary>
    public static bool TryParse(string text, out LabelSelector selector, out string error)
    {
        selector = All;
        error = "";
        if (text.Trim().Length == 0)
            return true;
        var terms = new List<(string, string?)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                error = "it has an empty term (two commas, or a comma at an end)";
                return false;
            }
            var equals = term.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? term : term[..equals]).Trim();
            var value = equals < 0 ? null : term[(equals + 1)..].Trim();
            if (key.Length == 0)
            {
                error = $"term '{term}' has no key";
                return false;
            }
            if (value is not null && value.Contains('=', StringComparison.Ordinal))
            {
                error = $"term '{term}' has more than one '='";
                return false;
            }
            terms.Add((key, value));
        }
        selector = new LabelSelector(terms);
        return true;
    }

    /// <summary>Whether <paramref name="labels"/> satisfy every term.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in _terms)
        {
            if (!labels.TryGetValue(key, out var actual) || (value is not null && !string.Equals(actual, value, StringComparison.Ordinal)))
                return false;
        }
        return true;
    }
}
