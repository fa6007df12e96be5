namespace AgentFense.Embedded.Internal;

/// <summary>Rules hiding the entries of a local tree that an upload would have left out.</summary>
internal static class LocalTreeRules
{
    public static IReadOnlyList<Rule> Hidden(string root, Func<string, bool, bool> include, int priority) =>
        [.. AgentFense.Internal.LocalTree.Excluded(root, include)
            .Select(e => new Rule(e.Path, Permission.None, e.IsDirectory ? PatternType.Directory : PatternType.File, priority))];
}
