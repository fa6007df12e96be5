using System.Globalization;
using AgentFense.Runtime.Boxes;
using Docker.DotNet.Models;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// The Engine API create request of a box's container. What it asks for, and why:
/// init (with its loader when dynamic) bound read-only from the host and run as the entrypoint, PID 1,
/// as the unprivileged box user; the policy view bound at the workspace path; the run directory bound so
/// init can connect back; <c>/etc/passwd</c> and <c>/etc/group</c> bound read-only from the box's etc
/// directory (<see cref="BoxUser"/>); every capability dropped and <c>no-new-privileges</c> (Docker's default seccomp
/// profile stays on); a read-only root with a size-limited tmpfs <c>/tmp</c>; network <c>none</c> unless the
/// box asks for it; memory (no swap on top), CPU quota/period/shares and pids from the limits; labels
/// marking it ours. No restart policy, no Docker init, no auto-remove (the runtime removes it).
/// </summary>
internal static class ContainerRequest
{
    /// <summary>The container name of box <paramref name="id"/>.</summary>
    public static string Name(string id) => $"agentfense-{id}";

    /// <summary>Builds the create request.</summary>
    public static CreateContainerParameters Build(BoxSpec spec, string image, DockerRuntimeOptions options, InitLoader loader,
        string initHostPath, string runHostDirectory, string etcHostDirectory)
    {
        var uid = spec.Uid.ToString(CultureInfo.InvariantCulture);
        var gid = spec.Gid.ToString(CultureInfo.InvariantCulture);
        var mounts = new List<Mount>
        {
            Bind(spec.WorkspaceHostPath, spec.WorkspacePath, spec.WorkspaceReadOnly),
            Bind(initHostPath, InitLoader.InitInBox, readOnly: true),
            Bind(runHostDirectory, InitLoader.RunDirectoryInBox, readOnly: false),
        };
        foreach (var (hostPath, boxPath) in loader.Binds())
            mounts.Add(Bind(hostPath, boxPath, readOnly: true));
        foreach (var file in BoxUser.Files)
            mounts.Add(Bind(Path.Combine(etcHostDirectory, file), $"/etc/{file}", readOnly: true));
        var limits = spec.Limits;
        var host = new HostConfig
        {
            Mounts = mounts,
            NetworkMode = spec.Network ? options.NetworkMode : "none",
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges:true"],
            ReadonlyRootfs = true,
            Tmpfs = new Dictionary<string, string>
            {
                ["/tmp"] = $"rw,nosuid,nodev,size={limits.TmpSizeBytes.ToString(CultureInfo.InvariantCulture)},mode=1777",
            },
            Init = false,
            AutoRemove = false,
            IpcMode = "private",
        };
        if (limits.MemoryBytes is { } memory)
        {
            host.Memory = memory;
            host.MemorySwap = memory;
        }
        if (limits.CpuQuotaMicroseconds is { } quota)
        {
            host.CPUQuota = quota;
            host.CPUPeriod = limits.CpuPeriodMicroseconds;
        }
        if (limits.CpuShares is { } shares)
            host.CPUShares = shares;
        if (limits.PidsMax is { } pids)
            host.PidsLimit = pids;
        return new CreateContainerParameters
        {
            Name = Name(spec.Id),
            Image = image,
            Hostname = spec.Hostname,
            User = $"{uid}:{gid}",
            Entrypoint = [.. loader.Entrypoint],
            Cmd = [],
            Env = [.. spec.BuildEnvironment()],
            WorkingDir = "/",
            Labels = DockerLabels.For(options.GroupName, spec.Id),
            HostConfig = host,
        };
    }

    private static Mount Bind(string source, string target, bool readOnly) => new()
    {
        Type = "bind",
        Source = source,
        Target = target,
        ReadOnly = readOnly,
        BindOptions = new BindOptions { Propagation = "rprivate" },
    };
}
