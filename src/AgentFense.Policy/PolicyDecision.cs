namespace AgentFense.Policy;

/// <summary>
/// The level of one path and what decided it. <see cref="RuleIndex"/> is the position of the deciding
/// rule in <see cref="PolicyMatcher.Rules"/> (for <see cref="DecisionSource.Reachability"/>, the rule that
/// makes something beneath visible), or -1.
/// </summary>
/// <param name="Permission">The level.</param>
/// <param name="Source">What decided it.</param>
/// <param name="RuleIndex">The deciding rule's index, or -1.</param>
public readonly record struct PolicyDecision(Permission Permission, DecisionSource Source, int RuleIndex)
{
    /// <summary>The decision for a path nothing makes visible.</summary>
    public static PolicyDecision Hidden => new(Permission.None, DecisionSource.Default, -1);
}
