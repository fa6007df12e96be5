using System.Globalization;

namespace AgentFense.Server.Tests;

/// <summary>
/// One scrape of the Prometheus text exposition, parsed into samples: metric name, labels and value. Enough of the
/// format for assertions (no escapes inside label values beyond what the server writes).
/// </summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            string name;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                foreach (var pair in SplitLabels(line[(brace + 1)..close]))
                    labels[pair.Key] = pair.Value;
                space = line.IndexOf(' ', close);
            }
            else
            {
                name = line[..line.IndexOf(' ', StringComparison.Ordinal)];
                space = name.Length;
            }
            var valueText = line[(space + 1)..].Split(' ')[0];
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, CultureInfo.InvariantCulture),
            };
            _samples.Add((name, labels, value));
        }
    }

    public string Text { get; }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Matching(name, labels).Sum(s => s.Value);

    /// <summary>True when some sample of <paramref name="name"/> has all of <paramref name="labels"/>.</summary>
    public bool Has(string name, params (string Key, string Value)[] labels) => Matching(name, labels).Any();

    /// <summary>The samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Matching(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    private static IEnumerable<KeyValuePair<string, string>> SplitLabels(string body)
    {
        var i = 0;
        while (i < body.Length)
        {
            var eq = body.IndexOf('=', i);
            var key = body[i..eq].Trim(' ', ',');
            var start = eq + 2;
            var end = start;
            while (end < body.Length && !(body[end] == '"' && body[end - 1] != '\\'))
                end++;
            yield return new(key, body[start..end].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal));
            i = end + 1;
            while (i < body.Length && body[i] is ',' or ' ')
                i++;
        }
    }
}
