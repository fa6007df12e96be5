namespace AgentFense.Policy;

/// <summary>
/// One rule of a policy: paths matching <see cref="Pattern"/> get <see cref="Permission"/>.
/// Paths are relative to the codebase root; <c>docs/**</c> and <c>/docs/**</c> mean the same.
/// </summary>
/// <param name="Pattern">The glob, directory or file path.</param>
/// <param name="Permission">The level granted to matching paths.</param>
/// <param name="Type">How <paramref name="Pattern"/> is interpreted.</param>
/// <param name="Priority">Higher priorities are consulted first.</param>
public sealed record PermissionRule(
    string Pattern,
    Permission Permission,
    PatternType Type = PatternType.Glob,
    int Priority = 0)
{
    /// <summary>A short human form: <c>**/*.key → none @100 (glob)</c>.</summary>
    public override string ToString() =>
        $"{Pattern} → {PolicyNames.Format(Permission)} @{Priority}" +
        (Type == PatternType.Glob ? "" : $" ({PolicyNames.Format(Type)})");
}
