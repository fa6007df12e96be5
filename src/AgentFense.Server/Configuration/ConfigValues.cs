using System.Globalization;

namespace AgentFense.Server.Configuration;

/// <summary>
/// Values as operators write them in a configuration file, an environment variable or on a command line: byte
/// sizes (<c>512M</c>, <c>1.5GiB</c>, <c>4096</c>; binary units), durations (<c>90s</c>, <c>10m</c>, <c>1h30m</c>,
/// <c>2d</c>, <c>250ms</c>; a bare number is seconds) and booleans (<c>true/false</c>, <c>1/0</c>, <c>yes/no</c>).
/// </summary>
public static class ConfigValues
{
    /// <summary>Parses a byte size; false for anything else (negative, unknown unit, past <see cref="long.MaxValue"/>).</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var t = text.Trim();
        var unitStart = t.Length;
        while (unitStart > 0 && char.IsLetter(t[unitStart - 1]))
            unitStart--;
        var shift = t[unitStart..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || unitStart == 0
            || !double.TryParse(t[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
            return false;
        var value = number * Math.Pow(2, shift);
        if (value >= long.MaxValue)
            return false;
        bytes = (long)value;
        return true;
    }

    /// <summary>Parses a duration made of number-unit parts (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>); a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var t = text.Trim();
        if (t.Length == 0)
            return false;
        if (double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            return seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds && Assign(TimeSpan.FromSeconds(seconds), out duration);
        var total = 0.0;
        var i = 0;
        while (i < t.Length)
        {
            var start = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
                i++;
            if (i == start || !double.TryParse(t[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            var unitStart = i;
            while (i < t.Length && char.IsAsciiLetter(t[i]))
                i++;
            double? scale = t[unitStart..i].ToLowerInvariant() switch
            {
                "ms" => 0.001,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => null,
            };
            if (scale is null)
                return false;
            total += number * scale.Value;
        }
        return total < TimeSpan.MaxValue.TotalSeconds && Assign(TimeSpan.FromSeconds(total), out duration);
    }

    /// <summary>Parses a boolean: <c>true/false</c>, <c>1/0</c>, <c>yes/no</c>, <c>on/off</c> (any case).</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static bool Assign(TimeSpan value, out TimeSpan duration)
    {
        duration = value;
        return true;
    }
}
