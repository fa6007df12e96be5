using AgentFense.Policy;

namespace AgentFense.Cli.Explain;

/// <summary>
/// Walks a directory in name order and decides every entry. Symlinks are reported, never followed.
/// A directory at <see cref="Permission.None"/> is reported but not entered: nothing beneath it can be
/// reached by an agent.
/// </summary>
internal static class PolicyTreeWalker
{
    public static IEnumerable<ExplainEntry> Walk(string root, PolicyMatcher matcher)
    {
        var rootInfo = new DirectoryInfo(root);
        var rootDecision = matcher.Decide("", isDirectory: true);
        yield return new ExplainEntry("", rootInfo.Name, 0, EntryKind.Directory, rootDecision, true, []);
        foreach (var entry in WalkChildren(rootInfo, "", 1, [], matcher))
            yield return entry;
    }

    private static IEnumerable<ExplainEntry> WalkChildren(
        DirectoryInfo dir, string relative, int depth, List<bool> ancestorsLast, PolicyMatcher matcher)
    {
        FileSystemInfo[] children;
        try
        {
            children = dir.GetFileSystemInfos();
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 0; i < children.Length; i++)
        {
            var child = children[i];
            var path = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
            var kind = child.LinkTarget is not null ? EntryKind.Symlink
                : child is DirectoryInfo ? EntryKind.Directory : EntryKind.File;
            var decision = matcher.Decide(path, kind == EntryKind.Directory);
            var last = i == children.Length - 1;
            yield return new ExplainEntry(path, child.Name, depth, kind, decision, last, [.. ancestorsLast]);
            if (kind == EntryKind.Directory && decision.Permission != Permission.None)
            {
                ancestorsLast.Add(last);
                foreach (var entry in WalkChildren((DirectoryInfo)child, path, depth + 1, ancestorsLast, matcher))
                    yield return entry;
                ancestorsLast.RemoveAt(ancestorsLast.Count - 1);
            }
        }
    }
}
