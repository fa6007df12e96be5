using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using AgentFense.Api.V1;

namespace AgentFense.Server.Codebases;

/// <summary>
/// Unpacks a tar stream (ustar, pax, GNU; gzip-compressed when it starts with the gzip magic) into a staging
/// directory, checking every entry: its path as an upload's, links against <see cref="LinkTargets"/>, nothing
/// written under a link, and the size and entry bounds. Regular files keep their executable bit (0755 or
/// 0644) and modification time, directories are 0755, ownership is never kept. Hard links become copies of
/// the earlier entry they name. Device, FIFO and other special entries refuse the archive.
/// </summary>
internal sealed class ArchiveUnpacker
{
    /// <summary>The most entries one archive may hold.</summary>
    public const int MaxEntries = 1_000_000;

    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755
    private const UnixFileMode PlainFileMode = (UnixFileMode)0x1A4; // 0644
    private const UnixFileMode ExecutableMode = (UnixFileMode)0x1ED; // 0755
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly string _staging;
    private readonly string _prefix;
    private readonly int _prefixDepth;
    private readonly long _maxBytes;
    private readonly Dictionary<string, UploadResult> _files = new(StringComparer.Ordinal);
    private int _directories;
    private int _links;
    private long _bytes;

    /// <param name="staging">An empty directory, on the codebase's filesystem.</param>
    /// <param name="prefix">The codebase directory the archive goes under ("" for the root), already validated.</param>
    /// <param name="maxBytes">The most bytes the regular files may hold together.</param>
    public ArchiveUnpacker(string staging, string prefix, long maxBytes)
    {
        _staging = staging;
        _prefix = prefix;
        _prefixDepth = prefix.Length == 0 ? 0 : prefix.Split('/').Length;
        _maxBytes = maxBytes;
    }

    /// <summary>Unpacks <paramref name="archive"/> (seekable: the gzip magic is peeked) into the staging directory.</summary>
    /// <exception cref="ArchiveException">The archive is refused; the staging directory holds a partial unpack the caller removes.</exception>
    public async Task<StagedArchive> UnpackAsync(Stream archive, CancellationToken cancellationToken)
    {
        var magic = new byte[2];
        var read = await archive.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken);
        archive.Position = 0;
        Stream tar = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true) : archive;
        try
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            var entries = 0;
            while (await NextAsync(reader, cancellationToken) is { } entry)
            {
                if (++entries > MaxEntries)
                    throw new ArchiveException(ArchiveProblem.TooLarge, $"the archive has more than {MaxEntries} entries");
                await UnpackEntryAsync(entry, cancellationToken);
            }
        }
        finally
        {
            if (!ReferenceEquals(tar, archive))
                await tar.DisposeAsync();
        }
        return new StagedArchive(_staging, [.. _files.Values], _directories, _links, _bytes);
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArchiveException(ArchiveProblem.InvalidArchive, $"not a valid tar archive: {e.Message}");
        }
    }

    private async Task UnpackEntryAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            return;
        var segments = Validate(entry.Name, entry.EntryType == TarEntryType.Directory);
        if (segments.Length == 0)
            return; // "./": the root itself
        var relative = string.Join('/', segments);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                UnpackDirectory(segments, relative);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                await UnpackFileAsync(segments, relative, entry, cancellationToken);
                break;
            case TarEntryType.SymbolicLink:
                UnpackLink(segments, relative, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                UnpackHardLink(segments, relative, entry.LinkName);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                throw new ArchiveException(ArchiveProblem.InvalidArchive, $"'{relative}' is a device or FIFO ({entry.EntryType}); codebases hold files, directories and links only");
            default:
                throw new ArchiveException(ArchiveProblem.InvalidArchive, $"'{relative}' has an entry type this server does not unpack ({entry.EntryType})");
        }
    }

    /// <summary>The segments of an entry name ("./" prefixes and a trailing "/" dropped), checked as an upload path.</summary>
    private static string[] Validate(string name, bool directory)
    {
        var trimmed = name;
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
            trimmed = trimmed[2..];
        if (trimmed is "." or "")
        {
            if (directory)
                return [];
            throw new ArchiveException(ArchiveProblem.InvalidPath, $"entry '{name}' has no name");
        }
        if (!CodebasePaths.TryValidate(trimmed, allowRoot: false, out var segments, out var error))
            throw new ArchiveException(ArchiveProblem.InvalidPath, $"entry {error}");
        return segments;
    }

    private void UnpackDirectory(string[] segments, string relative)
    {
        var path = EnsureParents(segments);
        switch (HostEntry.KindOf(path))
        {
            case HostEntryKind.None:
                Directory.CreateDirectory(path, DirectoryMode);
                _directories++;
                break;
            case HostEntryKind.Directory:
                break;
            default:
                throw new ArchiveException(ArchiveProblem.InvalidPath, $"'{relative}' is both a directory and a file or link in the archive");
        }
    }

    private async Task UnpackFileAsync(string[] segments, string relative, TarEntry entry, CancellationToken cancellationToken)
    {
        var path = PrepareLeaf(segments, relative);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            if (entry.DataStream is { } data)
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await ReadAsync(data, buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (_bytes + size > _maxBytes)
                        throw new ArchiveException(ArchiveProblem.TooLarge, $"the archive's files hold more than {_maxBytes} bytes");
                    hash.AppendData(buffer.AsSpan(0, read));
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        // A seekable archive cut short reads as a short file rather than failing: the header says how long it is.
        if (size != entry.Length)
            throw new ArchiveException(ArchiveProblem.InvalidArchive, $"the archive is truncated: '{relative}' has {size} of its {entry.Length} bytes");
        File.SetUnixFileMode(path, (entry.Mode & AnyExecute) != 0 ? ExecutableMode : PlainFileMode);
        File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
        AddFile(relative, size, CodebaseStore.Sha256Hex(hash));
    }

    private static async Task<int> ReadAsync(Stream data, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await data.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ArchiveException(ArchiveProblem.InvalidArchive, $"the archive is truncated or corrupt: {e.Message}");
        }
    }

    private void UnpackLink(string[] segments, string relative, string target)
    {
        if (!LinkTargets.IsInside(target, _prefixDepth + segments.Length - 1, out var why))
            throw new ArchiveException(ArchiveProblem.InvalidPath, $"link '{relative}' -> '{target}' is refused: its target {why} (links must stay inside the codebase)");
        var path = PrepareLeaf(segments, relative);
        File.CreateSymbolicLink(path, target);
        _links++;
    }

    private void UnpackHardLink(string[] segments, string relative, string target)
    {
        var source = Validate(target, directory: false);
        var sourceRelative = string.Join('/', source);
        if (!_files.TryGetValue(Display(sourceRelative), out var original) || sourceRelative == relative)
            throw new ArchiveException(ArchiveProblem.InvalidPath, $"hard link '{relative}' -> '{target}' does not name an earlier regular file of the archive");
        if (_bytes + original.Size > _maxBytes)
            throw new ArchiveException(ArchiveProblem.TooLarge, $"the archive's files hold more than {_maxBytes} bytes");
        var path = PrepareLeaf(segments, relative);
        File.Copy(Path.Combine([_staging, .. source]), path);
        AddFile(relative, original.Size, original.Checksum);
    }

    /// <summary>The staging path of a file or link entry: parents made, an earlier file or link there removed (never written through).</summary>
    private string PrepareLeaf(string[] segments, string relative)
    {
        var path = EnsureParents(segments);
        switch (HostEntry.KindOf(path))
        {
            case HostEntryKind.Directory:
                throw new ArchiveException(ArchiveProblem.InvalidPath, $"'{relative}' is both a directory and a file or link in the archive");
            case HostEntryKind.File:
                // A later entry of the same path wins, as with tar -x.
                if (_files.Remove(Display(relative), out var replaced))
                    _bytes -= replaced.Size;
                HostEntry.DeleteNonDirectory(path);
                break;
            case HostEntryKind.Link:
                _links--;
                HostEntry.DeleteNonDirectory(path);
                break;
        }
        return path;
    }

    /// <summary>Creates the parent directories of <paramref name="segments"/> in staging; a parent that is a file or link refuses the archive.</summary>
    private string EnsureParents(string[] segments)
    {
        var directory = _staging;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            directory = Path.Combine(directory, segments[i]);
            switch (HostEntry.KindOf(directory))
            {
                case HostEntryKind.None:
                    Directory.CreateDirectory(directory, DirectoryMode);
                    _directories++;
                    break;
                case HostEntryKind.Directory:
                    break;
                default:
                    throw new ArchiveException(ArchiveProblem.InvalidPath,
                        $"'{string.Join('/', segments)}' would be written under '{string.Join('/', segments[..(i + 1)])}', which is a file or link in the archive");
            }
        }
        return Path.Combine(directory, segments[^1]);
    }

    private void AddFile(string relative, long size, string checksum)
    {
        var display = Display(relative);
        _files[display] = new UploadResult { FilePath = display, Size = size, Checksum = checksum };
        _bytes += size;
    }

    /// <summary>The codebase path of an archive path (under the upload's directory).</summary>
    private string Display(string relative) => _prefix.Length == 0 ? relative : _prefix + "/" + relative;
}
