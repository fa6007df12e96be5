namespace AgentFense;

/// <summary>
/// One permission rule. The first matching rule wins: higher <see cref="Priority"/> first, then file rules before
/// directory rules before globs, then the more specific pattern; no match means <see cref="Permission.None"/>.
/// </summary>
/// <param name="Pattern">The pattern, relative to the codebase root (<c>src/**</c> and <c>/src/**</c> are the same).</param>
/// <param name="Permission">What the rule grants.</param>
/// <param name="Type">How <paramref name="Pattern"/> is matched.</param>
/// <param name="Priority">Higher wins.</param>
public sealed record Rule(string Pattern, Permission Permission, PatternType Type = PatternType.Glob, int Priority = 0)
{
    /// <summary>A rule hiding <paramref name="pattern"/> entirely.</summary>
    public static Rule None(string pattern, int priority = 0, PatternType type = PatternType.Glob) => new(pattern, Permission.None, type, priority);

    /// <summary>A rule showing names and metadata of <paramref name="pattern"/>, not content.</summary>
    public static Rule View(string pattern, int priority = 0, PatternType type = PatternType.Glob) => new(pattern, Permission.View, type, priority);

    /// <summary>A rule letting the agent read <paramref name="pattern"/>.</summary>
    public static Rule Read(string pattern, int priority = 0, PatternType type = PatternType.Glob) => new(pattern, Permission.Read, type, priority);

    /// <summary>A rule letting the agent write <paramref name="pattern"/> (into its delta).</summary>
    public static Rule Write(string pattern, int priority = 0, PatternType type = PatternType.Glob) => new(pattern, Permission.Write, type, priority);

    /// <inheritdoc />
    public override string ToString() => $"{Pattern} → {Permission.ToString().ToLowerInvariant()} @{Priority}" + (Type == PatternType.Glob ? "" : $" ({Type.ToString().ToLowerInvariant()})");
}
