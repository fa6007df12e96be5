namespace AgentFense.Server.Codebases;

/// <summary>Host paths compared as the kernel resolves them (symbolic links followed by realpath(3)).</summary>
internal static class HostDirectories
{
    /// <summary><paramref name="path"/> with every link, "." and ".." resolved, or null when it does not exist.</summary>
    public static string? Resolve(string path) => Interop.Libc.realpath(path);

    /// <summary>True when resolved <paramref name="path"/> is <paramref name="ancestor"/> or lies under it (whole names, not prefixes).</summary>
    public static bool IsSameOrUnder(string path, string ancestor) =>
        path == ancestor || ancestor == "/" || path.StartsWith(ancestor + "/", StringComparison.Ordinal);
}
