using AgentFense.Runtime.Cgroups;

[assembly: AssemblyFixture(typeof(AgentFense.Runtime.Tests.CgroupGroupsCleanup))]

namespace AgentFense.Runtime.Tests;

/// <summary>After the last test: the (by then empty) cgroup groups the tests made are removed, so a run leaves nothing behind.</summary>
public sealed class CgroupGroupsCleanup : IAsyncDisposable
{
    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!Directory.Exists("/sys/fs/cgroup") || Environment.UserName != "root")
            return;
        foreach (var group in new[] { BoxFixture.GroupName, "agentfense-tests-cg", "agentfense-tests-sweep" })
        {
            try
            {
                var manager = CgroupManager.Detect(groupName: group);
                await manager.SweepAsync();
                manager.TryRemoveGroup();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Boxes.BoxException)
            {
                // Nothing to clean where cgroups are not writable.
            }
        }
    }
}
