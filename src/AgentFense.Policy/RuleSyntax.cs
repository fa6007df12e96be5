using System.Globalization;

namespace AgentFense.Policy;

/// <summary>
/// The one-line rule form of the CLI: <c>PATTERN=LEVEL[@PRIORITY]</c>, optionally prefixed with the
/// pattern type: <c>dir:build=none</c>, <c>file:src/main.py=write@5</c>. The last <c>=</c> separates
/// the pattern from the level, so patterns may contain <c>=</c>.
/// </summary>
public static class RuleSyntax
{
    /// <summary>Parses one rule, or throws <see cref="PolicyException"/> quoting it and saying what is wrong.</summary>
    public static PermissionRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.LastIndexOf('=');
        if (equals < 0)
            throw Bad(text, "expected PATTERN=LEVEL[@PRIORITY], e.g. 'src/**=write@10'");
        var pattern = text[..equals];
        var level = text[(equals + 1)..];
        var priority = 0;
        var at = level.IndexOf('@');
        if (at >= 0)
        {
            var digits = level[(at + 1)..];
            if (!int.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
                throw Bad(text, $"the priority \"{digits}\" is not an integer");
            level = level[..at];
        }
        if (!PolicyNames.TryParsePermission(level, out var permission))
            throw Bad(text, $"unknown level \"{level}\"; use none, view, read or write");
        var type = PatternType.Glob;
        var colon = pattern.IndexOf(':');
        if (colon > 0 && PolicyNames.TryParsePatternType(pattern[..colon], out var prefixed))
        {
            type = prefixed;
            pattern = pattern[(colon + 1)..];
        }
        var rule = new PermissionRule(pattern, permission, type, priority);
        return PolicyMatcher.TryValidate(rule, out var problem) ? rule : throw Bad(text, problem);
    }

    /// <summary>Formats a rule in the form <see cref="Parse"/> reads.</summary>
    public static string Format(PermissionRule rule)
    {
        var prefix = rule.Type switch
        {
            PatternType.Directory => "dir:",
            PatternType.File => "file:",
            _ => "",
        };
        var priority = rule.Priority == 0 ? "" : "@" + rule.Priority.ToString(CultureInfo.InvariantCulture);
        return $"{prefix}{rule.Pattern}={PolicyNames.Format(rule.Permission)}{priority}";
    }

    private static PolicyException Bad(string text, string what) => new($"rule '{text}': {what}");
}
