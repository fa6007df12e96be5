using Xunit;

namespace AgentFense.TestSupport;

/// <summary>
/// Capability gates for tests that need root, /dev/fuse, bwrap or docker.
/// On a developer machine without the capability the test is skipped with the reason;
/// when <c>CI=true</c> nothing skips: CI has every capability, so a missing one is a failure.
/// Tests that call these also carry <c>[Trait("Requires", "...")]</c> so they can be selected.
/// </summary>
public static class Requires
{
    /// <summary>True when running under CI (<c>CI=true</c>), where skipping is not allowed.</summary>
    public static bool InCi { get; } =
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Requires the effective uid to be 0.</summary>
    public static void Root() => Gate(Environment.UserName == "root" || GetEuid() == 0, "needs root");

    /// <summary>Requires /dev/fuse to be openable (FUSE module loaded, caller allowed).</summary>
    public static void Fuse()
    {
        Root();
        Gate(File.Exists("/dev/fuse"), "needs /dev/fuse");
    }

    /// <summary>Requires a usable <c>bwrap</c> on PATH.</summary>
    public static void Bwrap() => Gate(Which("bwrap") is not null, "needs bwrap (apt-get install bubblewrap)");

    /// <summary>Requires a reachable Docker daemon socket.</summary>
    public static void Docker() =>
        Gate(File.Exists("/var/run/docker.sock") || Environment.GetEnvironmentVariable("DOCKER_HOST") is not null,
            "needs a running dockerd");

    /// <summary>Requires a program on PATH.</summary>
    public static void Program(string name) => Gate(Which(name) is not null, $"needs '{name}' on PATH");

    /// <summary>Skips (or, under CI, fails) unless <paramref name="condition"/> holds.</summary>
    public static void Gate(bool condition, string reason)
    {
        if (condition)
            return;
        if (InCi)
            Assert.Fail($"capability missing under CI=true: {reason}");
        Assert.Skip(reason);
    }

    /// <summary>Finds an executable on PATH, or null.</summary>
    public static string? Which(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static uint GetEuid()
    {
        // /proc/self/status "Uid:" line: real, effective, saved, fs.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
        }
        return uint.MaxValue;
    }
}
