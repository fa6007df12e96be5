namespace AgentFense;

/// <summary>A named set of rules (see <see cref="Presets"/>), which can be extended.</summary>
/// <param name="Name">The preset's name, e.g. <c>agent-safe</c>.</param>
/// <param name="Rules">Its rules.</param>
public sealed record Preset(string Name, IReadOnlyList<Rule> Rules)
{
    /// <summary>
    /// The preset with <paramref name="additions"/> kept at their own priority and <paramref name="overrides"/>
    /// raised above the preset's highest priority (an override of priority p gets <c>max + 1 + p</c>), so an
    /// override always beats the preset's rules.
    /// </summary>
    public Preset Extend(IEnumerable<Rule>? additions = null, IEnumerable<Rule>? overrides = null)
    {
        var max = Rules.Count == 0 ? 0 : Rules.Max(r => r.Priority);
        var raised = (overrides ?? []).Select(r => r with { Priority = checked(max + 1 + r.Priority) });
        return new Preset(Name, [.. Rules, .. additions ?? [], .. raised]);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Rules.Count} rules)";
}
