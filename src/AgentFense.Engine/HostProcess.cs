namespace AgentFense.Engine;

/// <summary>The few facts about this process the engine needs, read from procfs (no native imports).</summary>
internal static class HostProcess
{
    /// <summary>True when the effective uid is 0 (<c>/proc/self/status</c>, line <c>Uid:</c>: real, effective, saved, fs).</summary>
    public static bool IsRoot { get; } = ReadEuid() == 0;

    /// <summary>True when a process with this pid exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 1)..].TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static uint ReadEuid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        return uint.MaxValue;
    }
}
