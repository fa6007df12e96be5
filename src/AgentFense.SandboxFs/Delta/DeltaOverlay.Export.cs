using System.Formats.Tar;
using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>
    /// Writes the delta's changes to <paramref name="output"/> as a PAX tar in OCI image layer form: added and
    /// modified entries with their content and metadata (symlinks as links, never followed), each deletion as
    /// an empty <c>.wh.&lt;name&gt;</c> file, and every ancestor directory of an entry once, before it. Opaque
    /// markers are not written: the deletions under an opaque directory are listed one by one instead, which
    /// any OCI consumer applies the same way. Unchanged copied-up files are left out. The stream is left open.
    /// </summary>
    public Errno ExportTar(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var changes = new List<DeltaChange>();
        using (Mutate())
        {
            var rc = ListChanges(changes);
            if (rc != Errno.Success)
                return rc;
            var emitted = new HashSet<string>(StringComparer.Ordinal);
            using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
            foreach (var change in changes)
            {
                rc = EmitParents(writer, OverlayPath.Parent(change.Path), emitted);
                if (rc != Errno.Success)
                    return rc;
                if (change.Kind == ChangeKind.Deleted)
                {
                    var name = OverlayPath.Combine(OverlayPath.Parent(change.Path), Whiteout.For(OverlayPath.Name(change.Path)));
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name));
                    continue;
                }
                rc = EmitEntry(writer, change.Path, Upper(change.Path));
                if (rc != Errno.Success)
                    return rc;
                if (change.EntryKind == FileKind.Directory)
                    emitted.Add(change.Path);
            }
            return Errno.Success;
        }
    }

    private Errno EmitParents(TarWriter writer, string dir, HashSet<string> emitted)
    {
        if (dir.Length == 0 || emitted.Contains(dir))
            return Errno.Success;
        var rc = EmitParents(writer, OverlayPath.Parent(dir), emitted);
        if (rc != Errno.Success)
            return rc;
        var host = HostFs.Exists(Upper(dir)) ? Upper(dir) : Lower(dir);
        emitted.Add(dir);
        return EmitEntry(writer, dir, host);
    }

    private static Errno EmitEntry(TarWriter writer, string path, string host)
    {
        var rc = HostFs.Lstat(host, out var st);
        if (rc != Errno.Success)
            return rc;
        var kind = HostFs.Kind(st);
        var type = kind switch
        {
            FileKind.Regular => TarEntryType.RegularFile,
            FileKind.Directory => TarEntryType.Directory,
            FileKind.Symlink => TarEntryType.SymbolicLink,
            FileKind.Fifo => TarEntryType.Fifo,
            FileKind.CharDevice => TarEntryType.CharacterDevice,
            FileKind.BlockDevice => TarEntryType.BlockDevice,
            _ => (TarEntryType?)null,
        };
        if (type is null)
            return Errno.Success; // sockets have no tar form
        var entry = new PaxTarEntry(type.Value, kind == FileKind.Directory ? path + "/" : path)
        {
            Mode = (UnixFileMode)(st.stx_mode & 0xFFF),
            Uid = (int)st.stx_uid,
            Gid = (int)st.stx_gid,
            ModificationTime = new UnixTime(st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec).ToDateTimeOffset(),
        };
        if (kind is FileKind.CharDevice or FileKind.BlockDevice)
        {
            entry.DeviceMajor = (int)st.stx_rdev_major;
            entry.DeviceMinor = (int)st.stx_rdev_minor;
        }
        if (kind == FileKind.Symlink)
        {
            rc = HostFs.ReadLink(host, out var target);
            if (rc != Errno.Success)
                return rc;
            entry.LinkName = target;
        }
        if (kind != FileKind.Regular)
        {
            writer.WriteEntry(entry);
            return Errno.Success;
        }
        rc = HostFs.Open(host, O_RDONLY, 0, out var handle);
        if (rc != Errno.Success)
            return rc;
        using var stream = new FileStream(handle, FileAccess.Read);
        entry.DataStream = stream;
        writer.WriteEntry(entry);
        return Errno.Success;
    }
}
