using System.Globalization;
using System.Text;

namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// What the lower entry at a path looked like when the sandbox first shadowed it (copy-up, whiteout,
/// rename over it). Stored in the <c>user.agentfense.base</c> xattr of the upper entry or whiteout, so it
/// follows the entry without an index to keep in sync. A commit compares it with the codebase to report
/// conflicts: the codebase changed underneath the sandbox.
/// </summary>
/// <param name="Inode">Lower inode number.</param>
/// <param name="Size">Lower size in bytes.</param>
/// <param name="ModifySeconds">Lower mtime, seconds.</param>
/// <param name="ModifyNanoseconds">Lower mtime, nanoseconds.</param>
public readonly record struct Baseline(ulong Inode, long Size, long ModifySeconds, uint ModifyNanoseconds)
{
    /// <summary>The xattr that carries the baseline.</summary>
    public const string XattrName = Whiteout.XattrPrefix + "base";

    internal static Baseline Of(in Interop.Libc.statx_t st) =>
        new(st.stx_ino, (long)st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec);

    /// <summary>True when the lower entry still looks as it did.</summary>
    internal bool Matches(in Interop.Libc.statx_t st) => this == Of(st);

    internal byte[] Encode() => Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"1 {Inode} {Size} {ModifySeconds} {ModifyNanoseconds}"));

    internal static bool TryDecode(ReadOnlySpan<byte> value, out Baseline baseline)
    {
        baseline = default;
        var parts = Encoding.ASCII.GetString(value).Split(' ');
        if (parts.Length != 5 || parts[0] != "1")
            return false;
        var c = CultureInfo.InvariantCulture;
        if (!ulong.TryParse(parts[1], c, out var ino) || !long.TryParse(parts[2], c, out var size)
            || !long.TryParse(parts[3], c, out var sec) || !uint.TryParse(parts[4], c, out var nsec))
            return false;
        baseline = new Baseline(ino, size, sec, nsec);
        return true;
    }

    /// <summary>Reads the baseline of an upper entry, if it has one.</summary>
    internal static Baseline? Read(string hostPath) =>
        HostFs.GetXattr(hostPath, XattrName, out var value) == Errno.Success && TryDecode(value, out var b) ? b : null;

    /// <summary>Records a baseline on an upper entry; best effort (symlinks take no user xattrs).</summary>
    internal static void Write(string hostPath, Baseline? baseline)
    {
        if (baseline is { } b)
            HostFs.SetXattr(hostPath, XattrName, b.Encode(), 0);
        else
            HostFs.RemoveXattr(hostPath, XattrName);
    }
}
