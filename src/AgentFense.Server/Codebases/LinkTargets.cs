namespace AgentFense.Server.Codebases;

/// <summary>
/// Which symbolic link targets an archive may create: relative ones whose leading <c>..</c> segments stay at
/// or under the codebase root, with no <c>..</c> after a name.
/// </summary>
/// <remarks>
/// A lexical check alone is not enough: with <c>a/b/up -&gt; ../..</c> (the root), <c>a/b/l -&gt; up/../x</c>
/// looks like <c>a/b/x</c> but the kernel resolves <c>up</c> first and lands above the root. Allowing <c>..</c>
/// only before the first name closes that: the leading ones climb real directories from the link's own
/// (entries are never written under a link), and every name after them is a directory or a link that obeys
/// the same rule, so no resolution ever climbs above the root.
/// </remarks>
internal static class LinkTargets
{
    /// <summary>
    /// True when <paramref name="target"/> may be the target of a link whose directory lies
    /// <paramref name="depth"/> levels under the codebase root; else false with the reason.
    /// </summary>
    public static bool IsInside(string target, int depth, out string why)
    {
        why = "";
        if (target.Length == 0)
            return Fail("is empty", out why);
        if (target.Contains('\0', StringComparison.Ordinal))
            return Fail("contains NUL", out why);
        if (target.StartsWith('/'))
            return Fail("is absolute", out why);
        var climbs = 0;
        var named = false;
        foreach (var segment in target.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment != "..")
            {
                named = true;
                continue;
            }
            if (named)
                return Fail("has '..' after a name", out why);
            if (++climbs > depth)
                return Fail("climbs above the codebase root", out why);
        }
        return true;

        static bool Fail(string reason, out string message)
        {
            message = reason;
            return false;
        }
    }
}
