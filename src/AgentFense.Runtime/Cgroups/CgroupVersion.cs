namespace AgentFense.Runtime.Cgroups;

/// <summary>Which cgroup hierarchy the host runs.</summary>
public enum CgroupVersion
{
    /// <summary>One hierarchy per controller (<c>/sys/fs/cgroup/memory</c>, <c>.../cpu</c>, <c>.../pids</c>).</summary>
    V1 = 1,

    /// <summary>The unified hierarchy (<c>/sys/fs/cgroup/cgroup.controllers</c> exists).</summary>
    V2 = 2,
}
