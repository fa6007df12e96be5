namespace AgentFense.Runtime.Docker;

/// <summary>The labels that mark a container as one of ours.</summary>
internal static class DockerLabels
{
    /// <summary>Present on every container an AgentFense engine made.</summary>
    public const string Managed = "io.agentfense.managed";

    /// <summary>The runtime's <see cref="DockerRuntimeOptions.GroupName"/>.</summary>
    public const string Group = "io.agentfense.group";

    /// <summary>The box (sandbox) id.</summary>
    public const string Sandbox = "io.agentfense.sandbox";

    /// <summary>The labels of box <paramref name="id"/> in <paramref name="group"/>.</summary>
    public static Dictionary<string, string> For(string group, string id) => new(StringComparer.Ordinal)
    {
        [Managed] = "true",
        [Group] = group,
        [Sandbox] = id,
    };
}
