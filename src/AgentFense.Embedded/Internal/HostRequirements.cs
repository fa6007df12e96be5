namespace AgentFense.Embedded.Internal;

/// <summary>What the engine needs from the machine, checked before it starts so the error names all of it at once.</summary>
internal static class HostRequirements
{
    /// <summary>The agentfense-init path to use.</summary>
    /// <exception cref="EmbeddedEngineUnavailableException">Something is missing; every missing part is named.</exception>
    public static string Check(EmbeddedOptions options)
    {
        var missing = new List<string>();
        if (!OperatingSystem.IsLinux())
            missing.Add("Linux (FUSE and namespaces)");
        if (EffectiveUid() != 0)
            missing.Add("root: the engine mounts FUSE views and sets up cgroups (run as root, e.g. sudo)");
        if (!File.Exists("/dev/fuse"))
            missing.Add("/dev/fuse: load the fuse module (modprobe fuse) or, in a container, pass --device /dev/fuse");
        if (Which("bwrap") is null)
            missing.Add("bwrap on PATH: apt-get install bubblewrap");
        var init = InitLocator.Find(options, out var looked);
        if (init is null)
            missing.Add($"the agentfense-init binary: set EmbeddedOptions.InitPath or {EmbeddedOptions.InitPathVariable}, or ship it next to the application (looked at {string.Join(", ", looked)}; build it with `dotnet publish src/AgentFense.Init -c Release -o DIR` or `./agentfense`)");
        if (missing.Count > 0)
            throw new EmbeddedEngineUnavailableException(missing);
        return init!;
    }

    /// <summary>The effective uid, from the <c>Uid:</c> line of /proc/self/status (real, effective, saved, fs).</summary>
    private static long EffectiveUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return long.Parse(line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        return -1;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
