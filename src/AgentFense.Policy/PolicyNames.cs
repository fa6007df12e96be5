using System.Diagnostics.CodeAnalysis;

namespace AgentFense.Policy;

/// <summary>
/// The names of levels and pattern types as users write them (<c>read</c>, <c>directory</c>), and as the
/// <c>sandbox.v1</c> wire spells them (<c>PERMISSION_READ</c>, <c>PATTERN_TYPE_DIRECTORY</c>).
/// </summary>
public static class PolicyNames
{
    /// <summary>The lowercase name of a level: none, view, read, write.</summary>
    public static string Format(Permission permission) => permission switch
    {
        Permission.None => "none",
        Permission.View => "view",
        Permission.Read => "read",
        Permission.Write => "write",
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, null),
    };

    /// <summary>The lowercase name of a pattern type: glob, directory, file.</summary>
    public static string Format(PatternType type) => type switch
    {
        PatternType.Glob => "glob",
        PatternType.Directory => "directory",
        PatternType.File => "file",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses a level name, case-insensitively; also accepts the wire form <c>PERMISSION_READ</c>.</summary>
    public static bool TryParsePermission(string? text, out Permission permission)
    {
        switch (StripPrefix(text, "PERMISSION_"))
        {
            case "none": permission = Permission.None; return true;
            case "view": permission = Permission.View; return true;
            case "read": permission = Permission.Read; return true;
            case "write": permission = Permission.Write; return true;
            default: permission = default; return false;
        }
    }

    /// <summary>Parses a pattern type name (glob, directory or dir, file), case-insensitively; also the wire form.</summary>
    public static bool TryParsePatternType(string? text, out PatternType type)
    {
        switch (StripPrefix(text, "PATTERN_TYPE_"))
        {
            case "glob": type = PatternType.Glob; return true;
            case "directory" or "dir": type = PatternType.Directory; return true;
            case "file": type = PatternType.File; return true;
            default: type = default; return false;
        }
    }

    [return: NotNullIfNotNull(nameof(text))]
    private static string? StripPrefix(string? text, string prefix)
    {
        if (text is null)
            return null;
        var trimmed = text.Trim();
        if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            trimmed = trimmed[prefix.Length..];
        return trimmed.ToLowerInvariant();
    }
}
