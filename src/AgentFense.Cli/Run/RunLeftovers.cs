using AgentFense.Fuse;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Cgroups;

namespace AgentFense.Cli.Run;

/// <summary>
/// What an <c>agentfense run</c> killed with SIGKILL leaves: <c>run/&lt;pid&gt;/</c> in the data directory (a
/// stale mount, the temporary delta) and the cgroup group <c>agentfense-run-&lt;pid&gt;</c>. Every run cleans
/// those of runs whose process is gone before it starts its own.
/// </summary>
internal static class RunLeftovers
{
    public const string GroupPrefix = "agentfense-run-";

    public static string GroupName(int pid) => GroupPrefix + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static async Task CleanAsync(string runsDirectory, Action<string> log)
    {
        var dead = new SortedSet<int>();
        if (Directory.Exists(runsDirectory))
        {
            foreach (var directory in Directory.EnumerateDirectories(runsDirectory))
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && !IsAlive(pid))
                    dead.Add(pid);
            }
        }
        foreach (var parent in CgroupManager.Detect(groupName: GroupName(Environment.ProcessId)).GroupDirectories.Select(Path.GetDirectoryName))
        {
            if (parent is null || !Directory.Exists(parent))
                continue;
            foreach (var group in Directory.EnumerateDirectories(parent, GroupPrefix + "*"))
            {
                if (int.TryParse(Path.GetFileName(group).AsSpan(GroupPrefix.Length), out var pid) && !IsAlive(pid))
                    dead.Add(pid);
            }
        }
        foreach (var pid in dead)
        {
            try
            {
                var directory = Path.Combine(runsDirectory, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (Directory.Exists(directory))
                {
                    FuseMounts.ClearStaleUnder(directory);
                    Directory.Delete(directory, recursive: true);
                }
                var cgroups = CgroupManager.Detect(groupName: GroupName(pid));
                await cgroups.SweepAsync().ConfigureAwait(false);
                cgroups.TryRemoveGroup();
                log($"cleaned up after an earlier run (pid {pid}) that did not exit normally");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BoxException)
            {
                log($"cleaning up after an earlier run (pid {pid}) failed: {e.Message}");
            }
        }
    }

    private static bool IsAlive(int pid)
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
}
