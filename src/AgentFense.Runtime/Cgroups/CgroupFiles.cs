using System.Globalization;

namespace AgentFense.Runtime.Cgroups;

/// <summary>Reads and writes of cgroupfs control files, with the path in every error.</summary>
internal static class CgroupFiles
{
    public static void Write(string directory, string file, string value)
    {
        var path = Path.Combine(directory, file);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"write '{value}' to {path} failed: {e.Message}", e);
        }
    }

    public static string? TryRead(string directory, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file ("key value" lines), or 0.</summary>
    public static long ReadKeyed(string directory, string file, string key)
    {
        foreach (var line in (TryRead(directory, file) ?? string.Empty).Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                && long.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return 0;
    }

    public static long ReadNumber(string directory, string file) =>
        long.TryParse((TryRead(directory, file) ?? string.Empty).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public static List<int> ReadPids(string directory)
    {
        var pids = new List<int>();
        foreach (var line in (TryRead(directory, "cgroup.procs") ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                pids.Add(pid);
        }
        return pids;
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
