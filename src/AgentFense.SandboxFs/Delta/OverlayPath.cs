namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// Relative paths of the merged view: <c>""</c> is the root, components are separated by a single <c>/</c>.
/// Anything that could leave the tree or alias another path (<c>..</c>, <c>.</c>, empty components,
/// a leading <c>/</c>, NUL) is rejected, so joining with a layer root is always safe.
/// </summary>
public static class OverlayPath
{
    /// <summary>Longest name the kernel accepts for one component (NAME_MAX).</summary>
    public const int NameMax = 255;

    /// <summary>Checks a relative path; <see cref="Errno.Success"/> when it is safe to use.</summary>
    public static Errno Validate(string? path)
    {
        if (path is null)
            return Errno.EINVAL;
        if (path.Length == 0)
            return Errno.Success;
        if (path[0] == '/' || path[^1] == '/' || path.Contains('\0'))
            return Errno.EINVAL;
        foreach (var range in path.AsSpan().Split('/'))
        {
            var part = path.AsSpan(range);
            if (part.Length == 0 || part is "." or "..")
                return Errno.EINVAL;
            if (part.Length > NameMax)
                return Errno.ENAMETOOLONG;
        }
        return Errno.Success;
    }

    /// <summary>The parent of a non-root path (<c>"a/b"</c> → <c>"a"</c>, <c>"a"</c> → <c>""</c>).</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>The last component of a non-root path.</summary>
    public static string Name(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Joins a directory path and a child name.</summary>
    public static string Combine(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>Absolute host path of <paramref name="path"/> under <paramref name="root"/>.</summary>
    internal static string Host(string root, string path) => path.Length == 0 ? root : root + "/" + path;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies under it.</summary>
    public static bool IsSameOrUnder(string path, string ancestor) =>
        ancestor.Length == 0
        || path == ancestor
        || (path.Length > ancestor.Length && path[ancestor.Length] == '/' && path.StartsWith(ancestor, StringComparison.Ordinal));
}
