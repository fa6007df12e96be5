namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>Reads an extended attribute (ENODATA when absent; the engine's own are never visible).</summary>
    public Errno GetXattr(string path, string name, out byte[] value)
    {
        value = [];
        if (string.IsNullOrEmpty(name))
            return Errno.EINVAL;
        if (IsEngineXattr(name))
            return Errno.ENODATA;
        var rc = GetHostPath(path, out var host, out _);
        return rc != Errno.Success ? rc : HostFs.GetXattr(host, name, out value);
    }

    /// <summary>Lists extended attribute names, the engine's own left out.</summary>
    public Errno ListXattr(string path, List<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var rc = GetHostPath(path, out var host, out _);
        if (rc != Errno.Success)
            return rc;
        var all = new List<string>();
        rc = HostFs.ListXattr(host, all);
        if (rc == Errno.Success)
            names.AddRange(all.Where(n => !IsEngineXattr(n)));
        return rc;
    }

    /// <summary>Sets an extended attribute (copy-up first); <paramref name="flags"/> are XATTR_CREATE (1) / XATTR_REPLACE (2).</summary>
    public Errno SetXattr(string path, string name, ReadOnlySpan<byte> value, int flags = 0)
    {
        if (string.IsNullOrEmpty(name))
            return Errno.EINVAL;
        if (IsEngineXattr(name))
            return Errno.EPERM;
        var rc = CopyUp(path);
        return rc != Errno.Success ? rc : HostFs.SetXattr(Upper(path), name, value, flags);
    }

    /// <summary>Removes an extended attribute; copies up only when the attribute exists.</summary>
    public Errno RemoveXattr(string path, string name)
    {
        if (string.IsNullOrEmpty(name))
            return Errno.EINVAL;
        if (IsEngineXattr(name))
            return Errno.EPERM;
        var rc = GetXattr(path, name, out _);
        if (rc != Errno.Success)
            return rc;
        rc = CopyUp(path);
        return rc != Errno.Success ? rc : HostFs.RemoveXattr(Upper(path), name);
    }
}
