namespace AgentFense.Policy;

/// <summary>Reachability: which directories must be visible so that visible paths beneath them can be reached.</summary>
public sealed partial class PolicyMatcher
{
    /// <summary>
    /// Whether some path beneath directory <paramref name="path"/> can have a level above
    /// <see cref="Permission.None"/>, judged from the rules alone.
    /// </summary>
    public bool CanReachBeneath(ReadOnlySpan<char> path) => FindReachingRule(path.Trim('/')) >= 0;

    /// <summary>
    /// Walks the rules in precedence order. A rule that grants more than none and can match beneath the
    /// directory makes it reachable; a none rule that covers the directory's whole subtree first hides it
    /// for good, because every path beneath would match that rule before any later one.
    /// Returns the reaching rule's index, or -1.
    /// </summary>
    /// <remarks>
    /// The analysis is per rule: it may say "reachable" for a directory whose would-be visible paths are
    /// all shadowed by several partial none rules together. That shows an empty directory; it never hides
    /// a path the rules make visible.
    /// </remarks>
    private int FindReachingRule(ReadOnlySpan<char> path)
    {
        var slash = path.IndexOf('/');
        var first = slash < 0 ? path : path[..slash];
        foreach (var rule in _byRank)
        {
            var head = rule.Automaton.Segments[0];
            if (!path.IsEmpty && head.Kind == Glob.SegmentKind.Literal && !first.SequenceEqual(head.Literal))
                continue;
            var states = rule.Automaton.Run(path);
            if (rule.Permission == Permission.None)
            {
                if (rule.Automaton.CoversBeneath(states))
                    return -1;
            }
            else if (rule.Automaton.CanMatchBeneath(states))
            {
                return rule.Index;
            }
        }
        return -1;
    }
}
