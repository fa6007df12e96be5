using System.Globalization;

namespace AgentFense.Cli;

/// <summary>Byte sizes as users write them: <c>512M</c>, <c>2G</c>, <c>1.5GiB</c>, <c>4096</c> (binary units).</summary>
internal static class Sizes
{
    public static bool TryParse(string text, out long bytes)
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
        if (shift < 0 || !double.TryParse(t[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
            return false;
        var value = number * Math.Pow(2, shift);
        if (value > long.MaxValue)
            return false;
        bytes = (long)value;
        return true;
    }
}
