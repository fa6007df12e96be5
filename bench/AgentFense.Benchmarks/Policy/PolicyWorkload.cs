using AgentFense.Policy;

namespace AgentFense.Benchmarks.Policy;

/// <summary>
/// The workload the policy goal is stated for: the agent-safe preset plus 200 extra rules of mixed
/// shapes, decided over a synthetic 100,000-path repository tree (deterministic, no disk).
/// </summary>
public static class PolicyWorkload
{
    public const int PathCount = 100_000;

    public static IReadOnlyList<PermissionRule> Rules()
    {
        var extra = new List<PermissionRule>();
        for (var i = 0; i < 60; i++)
            extra.Add(new PermissionRule($"src/mod{i}", Permission.Write, PatternType.Directory, 5));
        for (var i = 0; i < 40; i++)
            extra.Add(new PermissionRule($"src/mod{i}/file{i}.py", Permission.View, PatternType.File, 20));
        for (var i = 0; i < 40; i++)
            extra.Add(new PermissionRule($"src/mod{i}/**/*.gen.py", Permission.None, PatternType.Glob, 15));
        for (var i = 0; i < 30; i++)
            extra.Add(new PermissionRule($"**/*.ext{i}", Permission.View, PatternType.Glob, 3));
        for (var i = 0; i < 30; i++)
            extra.Add(new PermissionRule($"docs/v{i}/*.md", Permission.Write, PatternType.Glob, 1));
        return Presets.AgentSafe.Extend(additions: extra);
    }

    public static string[] Paths()
    {
        // A repository-like tree: src/modN/pkgM/.../fileK.ext at depths 2-6, docs, tests, dot dirs.
        var random = new Random(42);
        string[] exts = ["py", "md", "json", "key", "txt", "gen.py", "ext7", "pem", "yaml", "cs"];
        string[] tops = ["src", "src", "src", "docs", "tests", "node_modules", ".git", "output", "vendor", "secrets"];
        var paths = new string[PathCount];
        for (var i = 0; i < paths.Length; i++)
        {
            var top = tops[random.Next(tops.Length)];
            var depth = random.Next(0, 5);
            var parts = new List<string> { top };
            if (top == "src")
                parts.Add($"mod{random.Next(80)}");
            else if (top == "docs")
                parts.Add($"v{random.Next(40)}");
            for (var d = 0; d < depth; d++)
                parts.Add($"pkg{random.Next(20)}");
            parts.Add($"file{random.Next(60)}.{exts[random.Next(exts.Length)]}");
            paths[i] = string.Join('/', parts);
        }
        return paths;
    }
}
