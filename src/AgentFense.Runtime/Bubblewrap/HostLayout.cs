namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// The host's system directories shown read-only in every box: <c>/usr</c>, and <c>/bin</c>,
/// <c>/sbin</c>, <c>/lib*</c> as symlinks where the host has merged /usr, else as binds.
/// </summary>
/// <param name="Entries">Each top-level path with its symlink target, or null for a directory to bind.</param>
internal sealed record class HostLayout(IReadOnlyList<(string Path, string? SymlinkTarget)> Entries)
{
    private static readonly string[] s_candidates = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    /// <summary>Looks at the host's root.</summary>
    public static HostLayout Probe()
    {
        var entries = new List<(string, string?)>();
        foreach (var path in s_candidates)
        {
            var info = new DirectoryInfo(path);
            if (info.LinkTarget is { } target)
                entries.Add((path, target));
            else if (info.Exists)
                entries.Add((path, null));
        }
        return new HostLayout(entries);
    }
}
