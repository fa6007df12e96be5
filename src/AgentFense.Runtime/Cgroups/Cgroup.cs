using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Cgroups;

/// <summary>
/// The cgroup of one box (a directory per controller in v1, one directory in v2). Processes are
/// added by pid before the box's own process may fork; <see cref="KillAndRemoveAsync"/> kills
/// whatever is left and removes the directories.
/// </summary>
public abstract class Cgroup
{
    private protected Cgroup(string name, IReadOnlyList<string> directories)
    {
        Name = name;
        Directories = directories;
    }

    /// <summary>The box's cgroup name (its leaf directory name).</summary>
    public string Name { get; }

    /// <summary>The cgroup's directories (one per v1 controller, or the one v2 directory).</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>Processes of the cgroup now.</summary>
    public abstract IReadOnlyList<int> GetProcesses();

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into the cgroup.</summary>
    public abstract void AddProcess(int pid);

    /// <summary>How many processes the kernel OOM-killed in this cgroup.</summary>
    public abstract long OomKillCount { get; }

    /// <summary>Memory charged to the cgroup now, in bytes.</summary>
    public abstract long MemoryUsageBytes { get; }

    /// <summary>Writes the limits into the control files.</summary>
    internal abstract void Apply(BoxLimits limits);

    /// <summary>Signals every process in the cgroup with SIGKILL (v2 uses <c>cgroup.kill</c> when present).</summary>
    protected virtual void KillAll()
    {
        foreach (var pid in GetProcesses())
            Interop.Libc.kill(pid, Interop.Libc.SIGKILL);
    }

    /// <summary>True when the directories no longer exist.</summary>
    public bool IsRemoved => Directories.All(d => !Directory.Exists(d));

    /// <summary>
    /// Kills every process left in the cgroup (repeatedly, since a process may fork while being
    /// killed), lets <paramref name="reap"/> collect any of them that are this process's children,
    /// and removes the directories once empty.
    /// </summary>
    /// <exception cref="IOException">The cgroup was still busy after <paramref name="timeout"/>.</exception>
    public async Task KillAndRemoveAsync(Action<int>? reap = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var delay = 1;
        while (true)
        {
            var pids = Directories.Any(Directory.Exists) ? GetProcesses() : [];
            if (pids.Count > 0)
            {
                KillAll();
                foreach (var pid in pids)
                    reap?.Invoke(pid);
            }
            else if (TryRemoveDirectories())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
                throw new IOException($"cgroup {Name} still busy after kill: processes [{string.Join(' ', GetProcesses())}] in {string.Join(", ", Directories)}");
            await Task.Delay(delay).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 50);
        }
    }

    private bool TryRemoveDirectories()
    {
        var done = true;
        foreach (var directory in Directories)
        {
            try
            {
                if (Directory.Exists(directory))
                    RemoveDirectory(directory);
            }
            catch (IOException)
            {
                done = false; // EBUSY while the last process finishes exiting
            }
        }
        return done;
    }

    /// <summary>Removes one cgroup directory (rmdir on cgroupfs; a fake tree in tests holds plain files).</summary>
    internal static void RemoveDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: false);
        }
        catch (IOException) when (Directory.Exists(directory) && Directory.EnumerateDirectories(directory).Any() == false && !IsCgroupFs(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool IsCgroupFs(string directory) => directory.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal);
}
