using System.Globalization;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// The memory cgroup Docker made for a container, found from its init's <c>/proc/PID/cgroup</c>: OOM kills
/// and usage are read there, the same counters the bwrap runtime reads from its own cgroups.
/// </summary>
internal sealed class ContainerCgroup
{
    private readonly string? _directory;
    private readonly bool _v2;

    private ContainerCgroup(string? directory, bool v2)
    {
        _directory = directory;
        _v2 = v2;
    }

    /// <summary>The memory cgroup directory, or null when it was not found.</summary>
    public string? Directory => _directory;

    /// <summary>Finds the memory cgroup of process <paramref name="pid"/> (an empty one when it cannot be read).</summary>
    public static ContainerCgroup Of(int pid, string root = "/sys/fs/cgroup")
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup");
        }
        catch (IOException)
        {
            return new ContainerCgroup(null, false);
        }
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
                return new ContainerCgroup(Path.Join(root, "memory", parts[2]), v2: false);
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
                return new ContainerCgroup(Path.Join(root, line[3..]), v2: true);
        }
        return new ContainerCgroup(null, false);
    }

    /// <summary>Processes the kernel OOM-killed in the container (v1 <c>memory.oom_control</c>, v2 <c>memory.events</c>), 0 when unknown.</summary>
    public long OomKillCount => _directory is null ? 0 : ReadKeyed(_v2 ? "memory.events" : "memory.oom_control", "oom_kill");

    /// <summary>Memory charged to the container now, 0 when unknown.</summary>
    public long MemoryUsageBytes => _directory is null ? 0 : ReadNumber(_v2 ? "memory.current" : "memory.usage_in_bytes");

    private string? Read(string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(_directory!, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private long ReadNumber(string file) =>
        long.TryParse((Read(file) ?? string.Empty).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private long ReadKeyed(string file, string key)
    {
        foreach (var line in (Read(file) ?? string.Empty).Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                && long.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return 0;
    }
}
