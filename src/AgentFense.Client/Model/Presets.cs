using System.Diagnostics.CodeAnalysis;

namespace AgentFense;

/// <summary>The built-in presets, the same as the server's and the CLI's (<c>agentfense presets</c>).</summary>
public static class Presets
{
    private static readonly Rule[] s_secretRules =
    [
        Rule.None("**/.env*", 100),
        Rule.None("**/secrets/**", 100),
        Rule.None("**/*.key", 100),
        Rule.None("**/*.pem", 100),
    ];

    /// <summary>Read everything, write only <c>/output</c> and <c>/tmp</c>; secrets and <c>.git</c> do not exist.</summary>
    public static Preset AgentSafe { get; } = new("agent-safe",
    [
        Rule.Read("**/*"),
        Rule.Write("/output/**", 10),
        Rule.Write("/tmp/**", 10),
        .. s_secretRules,
        Rule.None("**/credentials*", 100),
        Rule.None("**/.git/**", 50),
    ]);

    /// <summary>Read everything, write nothing.</summary>
    public static Preset ReadOnly { get; } = new("read-only", [Rule.Read("**/*")]);

    /// <summary>Read and write everything.</summary>
    public static Preset FullAccess { get; } = new("full-access", [Rule.Write("**/*")]);

    /// <summary>Write everything except secrets (.env, secrets/, *.key, *.pem), which do not exist.</summary>
    public static Preset Development { get; } = new("development", [Rule.Write("**/*"), .. s_secretRules]);

    /// <summary>See names and metadata only.</summary>
    public static Preset ViewOnly { get; } = new("view-only", [Rule.View("**/*")]);

    /// <summary>Every preset.</summary>
    public static IReadOnlyList<Preset> All { get; } = [AgentSafe, ReadOnly, FullAccess, Development, ViewOnly];

    /// <summary>Finds a preset by name (case-insensitive; <c>_</c> and <c>-</c> are the same).</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out Preset? preset)
    {
        var wanted = name?.Trim().Replace('_', '-');
        preset = All.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
        return preset is not null;
    }

    /// <summary>Finds a preset by name.</summary>
    /// <exception cref="InvalidConfigurationException">No preset has that name; the message lists the known ones.</exception>
    public static Preset Get(string name) =>
        TryGet(name, out var preset) ? preset
            : throw new InvalidConfigurationException($"unknown preset '{name}'; known presets: {string.Join(", ", All.Select(p => p.Name))}", "INVALID_RULE");
}
