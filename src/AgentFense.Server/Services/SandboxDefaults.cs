using AgentFense.Api.V1;
using Google.Protobuf.WellKnownTypes;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// The settings of a new sandbox: what its create request asks for, and the server's defaults
/// (<see cref="ServerOptions"/>) for what it leaves at 0 / false / unset. The returned sandbox carries the
/// effective values, so a client reads what its sandbox really got, and a restart rebuilds the same box
/// even when the server's defaults changed meanwhile.
/// </summary>
internal static class SandboxDefaults
{
    /// <summary>A pending sandbox of <paramref name="request"/> over codebase <paramref name="codebaseId"/>, defaults applied.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT naming the negative field.</exception>
    public static Sandbox Apply(CreateSandboxRequest request, string codebaseId, ServerOptions options, DateTimeOffset now)
    {
        NotNegative(request.TmpSizeBytes, "tmp_size_bytes");
        NotNegative(request.DeltaSizeBytes, "delta_size_bytes");
        if (request.ExpiresIn is { } expires && expires.ToTimeSpan() < TimeSpan.Zero)
            throw Invalid("expires_in may not be negative");
        var defaults = options.DefaultLimits;
        var sandbox = new Sandbox
        {
            CodebaseId = codebaseId,
            Status = SandboxStatus.Pending,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            Runtime = RuntimeType.Bwrap,
            Image = request.Image,
            Resources = EffectiveResources(request.Resources, options),
            // A request cannot turn off a network the server gives by default: false means "the default".
            Network = request.Network || options.DefaultNetwork,
            TmpSizeBytes = request.TmpSizeBytes > 0 ? request.TmpSizeBytes : defaults.TmpSizeBytes,
            DeltaSizeBytes = request.DeltaSizeBytes > 0 ? request.DeltaSizeBytes : options.DefaultDeltaSizeBytes,
        };
        sandbox.Permissions.AddRange(request.Permissions);
        sandbox.Labels.Add(request.Labels);
        var lifetime = request.ExpiresIn is { } given && given.ToTimeSpan() > TimeSpan.Zero ? given.ToTimeSpan() : options.DefaultExpiry;
        if (lifetime is { } span && span > TimeSpan.Zero)
            sandbox.ExpiresAt = Timestamp.FromDateTimeOffset(now + span);
        return sandbox;
    }

    private static ResourceLimits EffectiveResources(ResourceLimits? requested, ServerOptions options)
    {
        var asked = requested ?? new ResourceLimits();
        NotNegative(asked.MemoryBytes, "resources.memory_bytes");
        NotNegative(asked.CpuQuota, "resources.cpu_quota");
        NotNegative(asked.CpuShares, "resources.cpu_shares");
        NotNegative(asked.PidsLimit, "resources.pids_limit");
        var defaults = options.DefaultLimits;
        return new ResourceLimits
        {
            MemoryBytes = asked.MemoryBytes > 0 ? asked.MemoryBytes : defaults.MemoryBytes ?? 0,
            CpuQuota = asked.CpuQuota > 0 ? asked.CpuQuota : defaults.CpuQuotaMicroseconds ?? 0,
            CpuShares = asked.CpuShares > 0 ? asked.CpuShares : defaults.CpuShares ?? 0,
            PidsLimit = asked.PidsLimit > 0 ? asked.PidsLimit : defaults.PidsMax ?? 0,
        };
    }

    private static void NotNegative(long value, string field)
    {
        if (value < 0)
            throw Invalid($"{field} may not be negative (got {value})");
    }
}
