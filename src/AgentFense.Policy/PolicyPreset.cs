namespace AgentFense.Policy;

/// <summary>A named, ready-made list of rules.</summary>
/// <param name="Name">The name users pass (<c>agent-safe</c>).</param>
/// <param name="Description">One line saying what it is for.</param>
/// <param name="Rules">The rules, in order.</param>
public sealed record PolicyPreset(string Name, string Description, IReadOnlyList<PermissionRule> Rules)
{
    /// <summary>
    /// The preset's rules plus <paramref name="additions"/> (kept at their own priority) and
    /// <paramref name="overrides"/> (raised above the preset's highest priority, keeping their order
    /// relative to each other: an override of priority p gets <c>max + 1 + p</c>, p clamped at 0).
    /// </summary>
    public IReadOnlyList<PermissionRule> Extend(
        IEnumerable<PermissionRule>? additions = null,
        IEnumerable<PermissionRule>? overrides = null)
    {
        var result = new List<PermissionRule>(Rules);
        if (additions is not null)
            result.AddRange(additions);
        if (overrides is not null)
        {
            var top = Rules.Count == 0 ? 0 : Rules.Max(r => r.Priority);
            result.AddRange(overrides.Select(o => o with { Priority = checked(top + 1 + Math.Max(0, o.Priority)) }));
        }
        return result;
    }
}
