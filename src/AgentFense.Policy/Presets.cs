using System.Diagnostics.CodeAnalysis;

namespace AgentFense.Policy;

/// <summary>The built-in presets. Their rules are part of the contract: do not change them lightly.</summary>
public static class Presets
{
    private static PermissionRule R(string pattern, Permission permission, int priority = 0) =>
        new(pattern, permission, PatternType.Glob, priority);

    private static readonly PermissionRule[] s_secretRules =
    [
        R("**/.env*", Permission.None, 100),
        R("**/secrets/**", Permission.None, 100),
        R("**/*.key", Permission.None, 100),
        R("**/*.pem", Permission.None, 100),
    ];

    /// <summary>
    /// Read everything, write only <c>/output</c> and <c>/tmp</c>; secrets (.env files, secrets/, keys,
    /// certificates, credentials) and <c>.git</c> do not exist.
    /// </summary>
    public static PolicyPreset AgentSafe { get; } = new(
        "agent-safe",
        "read everything, write /output and /tmp, hide secrets and .git",
        [
            R("**/*", Permission.Read),
            R("/output/**", Permission.Write, 10),
            R("/tmp/**", Permission.Write, 10),
            .. s_secretRules,
            R("**/credentials*", Permission.None, 100),
            R("**/.git/**", Permission.None, 50),
        ]);

    /// <summary>Read everything, write nothing.</summary>
    public static PolicyPreset ReadOnly { get; } = new(
        "read-only", "read everything, write nothing", [R("**/*", Permission.Read)]);

    /// <summary>Read and write everything.</summary>
    public static PolicyPreset FullAccess { get; } = new(
        "full-access", "read and write everything", [R("**/*", Permission.Write)]);

    /// <summary>Write everything except secrets, which do not exist.</summary>
    public static PolicyPreset Development { get; } = new(
        "development", "write everything, hide secrets (.env, secrets/, *.key, *.pem)",
        [R("**/*", Permission.Write), .. s_secretRules]);

    /// <summary>See names and metadata only.</summary>
    public static PolicyPreset ViewOnly { get; } = new(
        "view-only", "see names and metadata, read no content", [R("**/*", Permission.View)]);

    /// <summary>Every preset, in the order they are listed to users.</summary>
    public static IReadOnlyList<PolicyPreset> All { get; } = [AgentSafe, ReadOnly, FullAccess, Development, ViewOnly];

    /// <summary>Finds a preset by name (case-insensitive; <c>_</c> and <c>-</c> are the same).</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out PolicyPreset? preset)
    {
        var wanted = name?.Trim().Replace('_', '-');
        preset = All.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
        return preset is not null;
    }

    /// <summary>Finds a preset by name or throws a <see cref="PolicyException"/> listing the known names.</summary>
    public static PolicyPreset Get(string name) =>
        TryGet(name, out var preset)
            ? preset
            : throw new PolicyException(
                $"unknown preset \"{name}\"; known presets: {string.Join(", ", All.Select(p => p.Name))}");
}
