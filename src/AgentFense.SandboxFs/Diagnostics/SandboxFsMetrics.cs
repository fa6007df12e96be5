using System.Diagnostics.Metrics;
using AgentFense.Policy;

namespace AgentFense.SandboxFs.Diagnostics;

/// <summary>The policy filesystem's instruments (meter <c>AgentFense.SandboxFs</c>): refusals by level and operation.</summary>
public static class SandboxFsMetrics
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "AgentFense.SandboxFs";

    private static readonly Meter s_meter = new(MeterName);

    // Built once so a refusal records without boxing or formatting.
    private static readonly KeyValuePair<string, object?>[] s_levelTags =
    [
        new("level", "none"), new("level", "view"), new("level", "read"), new("level", "write"),
    ];

    /// <summary>Operations the policy refused, by the level the path had and the operation tried.</summary>
    public static readonly Counter<long> Refusals = s_meter.CreateCounter<long>(
        "agentfense.policy.refusals", unit: "{refusal}", description: "Filesystem operations the policy refused, by level and operation");

    /// <summary>Counts one refusal; <paramref name="operation"/> is one of the filesystem's constant names.</summary>
    public static void RecordRefusal(Permission level, string operation)
    {
        if (!Refusals.Enabled)
            return;
        var index = (int)level;
        var levelTag = (uint)index < (uint)s_levelTags.Length ? s_levelTags[index] : new("level", "unknown");
        Refusals.Add(1, levelTag, new KeyValuePair<string, object?>("operation", operation));
    }
}
