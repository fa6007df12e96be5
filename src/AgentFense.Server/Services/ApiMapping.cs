using AgentFense.Api.V1;
using AgentFense.Engine;
using AgentFense.Runtime.Boxes;
using Grpc.Core;
using Policy = AgentFense.Policy;

namespace AgentFense.Server.Services;

/// <summary>Conversions between the wire messages and the engine's types.</summary>
internal static class ApiMapping
{
    public static SandboxStatus ToStatus(SandboxState state) => state switch
    {
        SandboxState.Created => SandboxStatus.Pending,
        SandboxState.Running => SandboxStatus.Running,
        SandboxState.Stopped => SandboxStatus.Stopped,
        _ => SandboxStatus.Error,
    };

    /// <summary>The engine rules of <paramref name="rules"/>; the agent-safe preset when there are none.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: a rule without a permission or pattern.</exception>
    public static IReadOnlyList<Policy.PermissionRule> ToRules(IEnumerable<PermissionRule> rules)
    {
        var list = new List<Policy.PermissionRule>();
        foreach (var rule in rules)
        {
            if (rule.Pattern.Length == 0)
                throw Invalid("a permission rule has no pattern", ApiErrors.InvalidRule);
            var permission = rule.Permission switch
            {
                Permission.None => Policy.Permission.None,
                Permission.View => Policy.Permission.View,
                Permission.Read => Policy.Permission.Read,
                Permission.Write => Policy.Permission.Write,
                _ => throw Invalid($"rule '{rule.Pattern}' has no valid permission", ApiErrors.InvalidRule),
            };
            var type = rule.Type switch
            {
                PatternType.Unspecified or PatternType.Glob => Policy.PatternType.Glob,
                PatternType.Directory => Policy.PatternType.Directory,
                PatternType.File => Policy.PatternType.File,
                _ => throw Invalid($"rule '{rule.Pattern}' has no valid pattern type", ApiErrors.InvalidRule),
            };
            // Paths are relative to the codebase root: "/src/**" and "src/**" are the same rule.
            var pattern = rule.Pattern.Length > 1 ? rule.Pattern.TrimStart('/') : rule.Pattern;
            list.Add(new Policy.PermissionRule(pattern.Length == 0 ? rule.Pattern : pattern, permission, type, rule.Priority));
        }
        return list.Count > 0 ? list : Policy.Presets.AgentSafe.Rules;
    }

    /// <summary>The box limits of a stored sandbox: 0 means unlimited, and a /tmp size of 0 (rows written before it existed) the runtime's default.</summary>
    public static BoxLimits ToLimits(ResourceLimits? resources, long tmpSizeBytes)
    {
        var limits = new BoxLimits();
        if (tmpSizeBytes > 0)
            limits = limits with { TmpSizeBytes = tmpSizeBytes };
        if (resources is null)
            return limits;
        return limits with
        {
            MemoryBytes = resources.MemoryBytes > 0 ? resources.MemoryBytes : null,
            CpuQuotaMicroseconds = resources.CpuQuota > 0 ? resources.CpuQuota : null,
            CpuShares = resources.CpuShares > 0 ? resources.CpuShares : null,
            PidsMax = resources.PidsLimit > 0 ? resources.PidsLimit : null,
        };
    }

    /// <summary>The engine spec of a stored sandbox (its effective settings) over <paramref name="codebasePath"/>.</summary>
    public static SandboxSpec ToSpec(Sandbox sandbox, string codebasePath) => new()
    {
        CodebasePath = codebasePath,
        Rules = ToRules(sandbox.Permissions),
        Limits = ToLimits(sandbox.Resources, sandbox.TmpSizeBytes),
        Network = sandbox.Network,
        DeltaSizeLimit = sandbox.DeltaSizeBytes > 0 ? sandbox.DeltaSizeBytes : AgentFense.SandboxFs.SandboxFsOptions.DefaultDeltaLimit,
        Runtime = sandbox.Runtime == RuntimeType.Docker ? BoxRuntimeKind.Docker : BoxRuntimeKind.Bwrap,
        Image = sandbox.Runtime == RuntimeType.Docker && sandbox.Image.Length > 0 ? sandbox.Image : null,
    };

    public static RpcException Invalid(string message, string reason = ApiErrors.InvalidArgument) =>
        ApiErrors.Create(StatusCode.InvalidArgument, reason, message);

    public static RpcException NotFound(string message, string reason) => ApiErrors.Create(StatusCode.NotFound, reason, message);

    public static RpcException Precondition(string message, string reason) => ApiErrors.Create(StatusCode.FailedPrecondition, reason, message);

    /// <summary>
    /// The status of a sandbox: the engine's state, except that a sandbox the catalog marked ERROR stays ERROR
    /// until it runs again.
    /// </summary>
    public static SandboxStatus ToStatus(Sandbox stored, SandboxState state) =>
        stored.Status == SandboxStatus.Error && state != SandboxState.Running ? SandboxStatus.Error : ToStatus(state);
}
