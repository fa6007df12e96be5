using AgentFense.Policy;
using AgentFense.SandboxFs.Audit;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Replaces the rules of sandbox <paramref name="id"/>. They are compiled first (nothing changes when one is
    /// not valid); on a running sandbox the mount's policy is swapped and the kernel's caches of the view
    /// dropped, so the new levels apply at once; the record keeps them for the next start.
    /// </summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="PolicyException">A rule is not valid.</exception>
    public async Task<SandboxRecord> UpdateRulesAsync(string id, IReadOnlyList<PermissionRule> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var matcher = PolicyMatcher.Compile(rules);
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Destroyed)
                throw new SandboxNotFoundException(id);
            var record = Get(id);
            var updated = record with { Spec = record.Spec with { Rules = [.. rules] } };
            _registry.Update(updated);
            entry.Mount?.FileSystem.UpdatePolicy(matcher);
            return updated;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>The refused operations the running sandbox's filesystem kept, oldest first (in memory: lost on stop).</summary>
    /// <exception cref="SandboxNotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public IReadOnlyList<AuditEntry> GetAudit(string id) =>
        RunningEntry(id).Mount?.FileSystem.Audit.Snapshot() ?? [];
}
