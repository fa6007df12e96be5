using System.Text;

namespace AgentFense.Fuse;

/// <summary>
/// Finds FUSE mounts in /proc/self/mountinfo and clears stale ones: a mount whose server died answers every
/// access with ENOTCONN until it is unmounted, so a restarted engine calls <see cref="ClearStaleUnder"/> on its
/// mounts directory before mounting again.
/// </summary>
public static class FuseMounts
{
    /// <summary>Mount points of FUSE filesystems (type fuse or fuse.*), optionally only those at or under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> List(string? directory = null)
    {
        string? root = directory is null ? null : Path.GetFullPath(directory).TrimEnd('/');
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 0 || dash + 1 >= fields.Length)
                continue;
            string type = fields[dash + 1];
            if (type != "fuse" && !type.StartsWith("fuse.", StringComparison.Ordinal))
                continue;
            string mountPoint = Unescape(fields[4]);
            if (root is null || mountPoint == root || mountPoint.StartsWith(root + "/", StringComparison.Ordinal))
                result.Add(mountPoint);
        }
        return result;
    }

    /// <summary>True when <paramref name="path"/> is a FUSE mount point whose server is gone (reading it fails with ENOTCONN).</summary>
    public static bool IsStale(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        if (!List().Contains(full))
            return false;
        // ENOTCONN once the connection is gone; ECONNABORTED for a request caught by the abort itself.
        return Probe(full) is Errno.ENOTCONN or Errno.ECONNABORTED;
    }

    /// <summary>Detaches <paramref name="path"/> if it is a stale FUSE mount; true if one was cleared.</summary>
    public static bool ClearStale(string path)
    {
        if (!IsStale(path))
            return false;
        string full = Path.GetFullPath(path).TrimEnd('/');
        return FuseMounter.Unmount(full, viaFusermount: Interop.Libc.geteuid() != 0, log: null);
    }

    /// <summary>Clears every stale FUSE mount at or under <paramref name="directory"/>, deepest first; returns how many.</summary>
    public static int ClearStaleUnder(string directory)
    {
        int cleared = 0;
        foreach (var mountPoint in List(directory).OrderByDescending(m => m.Length))
        {
            if (ClearStale(mountPoint))
                cleared++;
        }
        return cleared;
    }

    /// <summary>
    /// Reads the mount root's directory and reports the errno the kernel answered with. A stat alone is not
    /// enough: cached attributes answer it without asking the (dead) server, while READDIR always reaches it.
    /// </summary>
    internal static Errno Probe(string path)
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
            entries.MoveNext();
            return Errno.Success;
        }
        catch (IOException ex) when (ex.HResult is > 0 and < 4096)
        {
            return (Errno)ex.HResult;
        }
        catch (IOException ex) when (ex.Message.Contains("not connected", StringComparison.OrdinalIgnoreCase))
        {
            return Errno.ENOTCONN;
        }
        catch (IOException)
        {
            return Errno.EIO;
        }
        catch (UnauthorizedAccessException)
        {
            return Errno.EACCES;
        }
    }

    /// <summary>Undoes the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) of mountinfo.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var sb = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }
}
