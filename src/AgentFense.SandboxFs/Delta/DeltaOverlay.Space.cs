namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Space for <c>statfs</c>: the delta's host file system, with total and available capped by the size limit
    /// so <c>df</c> in the box shows what the sandbox may still write. Names are 4 shorter than the host's
    /// limit: a whiteout adds <c>.wh.</c> to a name.
    /// </summary>
    public Errno GetSpace(out SpaceInfo space)
    {
        space = default;
        if (Interop.Libc.statfs(_upper, out var fs) != 0)
            return HostFs.LastError();
        var blockSize = Math.Max(1, fs.f_bsize);
        var total = fs.f_blocks;
        var available = fs.f_bavail;
        var free = fs.f_bfree;
        if (Quota.Limit != long.MaxValue)
        {
            var limitBlocks = (ulong)(Quota.Limit / blockSize);
            var leftBlocks = (ulong)(Quota.Available / blockSize);
            total = Math.Min(total, limitBlocks);
            available = Math.Min(available, leftBlocks);
            free = Math.Min(free, leftBlocks);
        }
        space = new SpaceInfo(blockSize, total, free, available, fs.f_files, fs.f_ffree,
            Math.Min(OverlayPath.NameMax, fs.f_namelen) - Whiteout.Prefix.Length);
        return Errno.Success;
    }
}
