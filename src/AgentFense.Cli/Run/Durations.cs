using System.Globalization;

namespace AgentFense.Cli.Run;

/// <summary>Durations as users write them: <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>1.5s</c>; a bare number is seconds.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var t = text.Trim();
        var unitStart = t.Length;
        while (unitStart > 0 && char.IsLetter(t[unitStart - 1]))
            unitStart--;
        double? scale = t[unitStart..].ToLowerInvariant() switch
        {
            "ms" => 0.001,
            "" or "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => null,
        };
        if (scale is null || !double.TryParse(t[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number <= 0 || number * scale.Value > TimeSpan.MaxValue.TotalSeconds / 2)
            return false;
        duration = TimeSpan.FromSeconds(number * scale.Value);
        return true;
    }
}
