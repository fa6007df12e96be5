namespace AgentFense.Init.Tests;

/// <summary>Looks at processes through /proc.</summary>
internal static class ProcessProbe
{
    /// <summary>True when no process (not even a zombie) has this pid.</summary>
    public static bool IsGone(int pid) => !Directory.Exists($"/proc/{pid}");

    /// <summary>Polls until the pid is gone or the time is up.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (IsGone(pid))
                return true;
            await Task.Delay(20);
        }
        return IsGone(pid);
    }

    /// <summary>Pids whose parent is <paramref name="ppid"/>.</summary>
    public static List<int> ChildrenOf(int ppid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == ppid)
                    children.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return children;
    }
}
