using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Cgroups;

/// <summary>
/// Creates box cgroups under a group named <see cref="GroupName"/> (default <c>agentfense</c>)
/// below this process's own cgroup in each hierarchy, so the boxes stay inside whatever limits
/// the engine itself runs under, and sweeps leftovers of a crashed engine.
/// </summary>
/// <remarks>
/// v1: <c>{root}/{memory,cpu,pids}/{own path}/{group}/{box}</c>. v2:
/// <c>{root}/{own path}/{group}/{box}</c>, with the memory, cpu and pids controllers enabled in
/// <c>{group}/cgroup.subtree_control</c>; the engine's own cgroup must delegate them (on v2 a
/// cgroup holding processes cannot enable controllers for its children, so a service should run
/// the engine in a leaf of a delegated subtree, e.g. systemd's <c>Delegate=yes</c>).
/// </remarks>
public sealed class CgroupManager
{
    private static readonly string[] s_v1Controllers = ["memory", "cpu", "pids"];

    private readonly Dictionary<string, string> _parents;

    private CgroupManager(CgroupVersion version, string root, string groupName, Dictionary<string, string> parents)
    {
        Version = version;
        Root = root;
        GroupName = groupName;
        _parents = parents;
    }

    /// <summary>The hierarchy in use.</summary>
    public CgroupVersion Version { get; }

    /// <summary>Where cgroupfs is mounted (normally <c>/sys/fs/cgroup</c>).</summary>
    public string Root { get; }

    /// <summary>The directory name that holds every box cgroup of this engine.</summary>
    public string GroupName { get; }

    /// <summary>The group directories box cgroups are created in (one per v1 controller, or one for v2).</summary>
    public IReadOnlyList<string> GroupDirectories => [.. _parents.Values];

    /// <summary>
    /// Detects the hierarchy under <paramref name="root"/>. <paramref name="selfCgroup"/> is the
    /// text of <c>/proc/self/cgroup</c> (read when null; tests pass a fixture).
    /// </summary>
    public static CgroupManager Detect(string root = "/sys/fs/cgroup", string groupName = "agentfense", string? selfCgroup = null)
    {
        if (groupName.Length == 0 || groupName.Contains('/', StringComparison.Ordinal) || groupName is "." or "..")
            throw new ArgumentException($"group name '{groupName}' is not a plain directory name", nameof(groupName));
        selfCgroup ??= File.ReadAllText("/proc/self/cgroup");
        var own = ParseSelf(selfCgroup);
        if (File.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            var parent = Path.Combine(root + (own.TryGetValue("", out var path) ? path : "/").TrimEnd('/'), groupName);
            return new CgroupManager(CgroupVersion.V2, root, groupName, new Dictionary<string, string> { [""] = parent });
        }
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var controller in s_v1Controllers)
        {
            var mount = Path.Combine(root, controller);
            if (!Directory.Exists(mount))
                throw new BoxException($"cgroup v1 controller '{controller}' is not mounted at {mount}");
            var ownPath = own.TryGetValue(controller, out var p) ? p : "/";
            parents[controller] = Path.Combine(mount + ownPath.TrimEnd('/'), groupName);
        }
        return new CgroupManager(CgroupVersion.V1, root, groupName, parents);
    }

    /// <summary>Creates the cgroup of box <paramref name="name"/> and writes its limits.</summary>
    public Cgroup Create(string name, BoxLimits limits)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            throw new ArgumentException($"cgroup name '{name}' is not a plain directory name", nameof(name));
        EnsureGroups();
        Cgroup cgroup = Version == CgroupVersion.V2
            ? new CgroupV2(name, Path.Combine(_parents[""], name))
            : new CgroupV1(name, Path.Combine(_parents["memory"], name), Path.Combine(_parents["cpu"], name), Path.Combine(_parents["pids"], name));
        foreach (var directory in cgroup.Directories)
        {
            if (Directory.Exists(directory))
                throw new BoxException($"cgroup {directory} already exists (a box with this id is running, or a leftover awaits the sweep)");
            Directory.CreateDirectory(directory);
        }
        try
        {
            cgroup.Apply(limits);
        }
        catch
        {
            foreach (var directory in cgroup.Directories)
                Cgroup.RemoveDirectory(directory);
            throw;
        }
        return cgroup;
    }

    /// <summary>
    /// Kills and removes every box cgroup left under the group (after an engine crash). Call it
    /// at engine start, before any box runs. Returns the names removed.
    /// </summary>
    public async Task<IReadOnlyList<string>> SweepAsync(Action<int>? reap = null)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var parent in _parents.Values)
        {
            if (Directory.Exists(parent))
                names.UnionWith(Directory.EnumerateDirectories(parent).Select(Path.GetFileName)!);
        }
        foreach (var name in names)
        {
            Cgroup leftover = Version == CgroupVersion.V2
                ? new CgroupV2(name, Path.Combine(_parents[""], name))
                : new CgroupV1(name, Path.Combine(_parents["memory"], name), Path.Combine(_parents["cpu"], name), Path.Combine(_parents["pids"], name));
            await leftover.KillAndRemoveAsync(reap).ConfigureAwait(false);
        }
        return [.. names];
    }

    /// <summary>Removes the group directories when no box cgroup is left in them (at engine shutdown); true when gone.</summary>
    public bool TryRemoveGroup()
    {
        var removed = true;
        foreach (var parent in _parents.Values)
        {
            try
            {
                if (Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any())
                    Cgroup.RemoveDirectory(parent);
            }
            catch (IOException)
            {
            }
            removed &= !Directory.Exists(parent);
        }
        return removed;
    }

    private void EnsureGroups()
    {
        foreach (var parent in _parents.Values)
        {
            if (Directory.Exists(parent))
                continue;
            Directory.CreateDirectory(parent);
            if (Version == CgroupVersion.V2)
            {
                // The engine's cgroup must pass the controllers down first; that fails where the
                // engine's cgroup holds processes itself, and the group's own write then says why.
                TryWrite(Path.GetDirectoryName(parent)!, "cgroup.subtree_control", "+memory +cpu +pids");
                CgroupFiles.Write(parent, "cgroup.subtree_control", "+memory +cpu +pids");
            }
        }
    }

    private static void TryWrite(string directory, string file, string value)
    {
        try
        {
            CgroupFiles.Write(directory, file, value);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Parses <c>/proc/self/cgroup</c>: controller (or "" for v2) → path.</summary>
    internal static Dictionary<string, string> ParseSelf(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            foreach (var controller in parts[1].Split(','))
                result.TryAdd(controller, parts[2]);
        }
        return result;
    }
}
